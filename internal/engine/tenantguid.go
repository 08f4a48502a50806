package engine

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

// maxTenantGUIDs bounds the process-wide cache of domain tenants.
const maxTenantGUIDs = 64

// guidLookup is one domain tenant's resolution, shared by its callers.
type guidLookup struct {
	done chan struct{}
	guid string
	err  error
}

var tenantGUIDs = struct {
	sync.Mutex
	m     map[keySetID]*guidLookup
	order []keySetID
}{m: map[keySetID]*guidLookup{}}

// isDomainTenant reports whether the authority names its tenant by a
// domain name, whose GUID the ID token's tid must then be.
func isDomainTenant(auth Authority) bool {
	return !auth.IsADFS() && !auth.IsTenantIndependent() && !IsGUID(auth.Tenant)
}

// prefetchTenant starts resolving a domain tenant in the background, next
// to the token request, so verification later need not wait.
func (c *Client) prefetchTenant(ctx context.Context, auth Authority) {
	if isDomainTenant(auth) {
		c.lookupTenant(context.WithoutCancel(ctx), auth)
	}
}

// tenantGUID returns the GUID of a domain tenant, from the issuer of that
// tenant's OpenID configuration (https://{host}/{tenant-guid}/v2.0), once
// per process for an authority and transport. A failed lookup is not
// remembered, so the next sign-in tries again.
func (c *Client) tenantGUID(ctx context.Context, auth Authority) (string, error) {
	l := c.lookupTenant(context.WithoutCancel(ctx), auth)
	select {
	case <-l.done:
		if l.err == nil {
			c.setRealm(realmID{auth.Host, auth.Tenant}, l.guid)
		}
		return l.guid, l.err
	case <-ctx.Done():
		return "", &oauth.Error{Endpoint: "discovery", Code: "request_failed", Err: ctx.Err()}
	}
}

// lookupID is the process-wide key of auth's resolution, and whether
// the transport lets clients share it.
func (c *Client) lookupID(auth Authority) (keySetID, string, bool) {
	rt := c.wire.hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	cfg := auth.Endpoints().OpenIDConfiguration
	return keySetID{url: strings.ToLower(cfg), rt: rt}, cfg, reflect.ValueOf(rt).Comparable()
}

// lookupTenantIfStarted is the process's resolution of auth, nil when
// none was started (or the transport cannot be shared).
func (c *Client) lookupTenantIfStarted(auth Authority) *guidLookup {
	id, _, shared := c.lookupID(auth)
	if !shared {
		return nil
	}
	tenantGUIDs.Lock()
	defer tenantGUIDs.Unlock()
	return tenantGUIDs.m[id]
}

func (c *Client) lookupTenant(ctx context.Context, auth Authority) *guidLookup {
	id, cfg, shared := c.lookupID(auth)
	r := &tenantGUIDs
	if shared {
		r.Lock()
		if l, ok := r.m[id]; ok {
			r.Unlock()
			return l
		}
	}
	l := &guidLookup{done: make(chan struct{})}
	if shared {
		if len(r.order) >= maxTenantGUIDs {
			delete(r.m, r.order[0])
			r.order = r.order[1:]
		}
		r.m[id] = l
		r.order = append(r.order, id)
		r.Unlock()
	}
	go func() {
		l.guid, l.err = c.fetchTenantGUID(ctx, auth, cfg)
		if l.err != nil && shared {
			r.Lock()
			if r.m[id] == l {
				delete(r.m, id)
			}
			r.Unlock()
		}
		close(l.done)
	}()
	return l
}

// fetchTenantGUID reads the tenant ID the storage keeps for auth when it
// is fresh (cache.StoredTenantID), else fetches auth's OpenID
// configuration and stores the ID it names, for the next process.
func (c *Client) fetchTenantGUID(ctx context.Context, auth Authority, cfg string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()
	if guid, ok := c.cache.StoredTenantID(ctx, auth.String(), time.Now()); ok && IsGUID(guid) {
		return strings.ToLower(guid), nil
	}
	guid, err := c.fetchIssuerTenant(ctx, auth, cfg)
	if err != nil {
		return "", err
	}
	if err := c.cache.StoreTenantID(ctx, auth.String(), guid, time.Now()); err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "oauth: storing the tenant ID failed", slog.String("error", err.Error()))
	}
	return guid, nil
}

func (c *Client) fetchIssuerTenant(ctx context.Context, auth Authority, cfg string) (string, error) {
	resp, err := c.wire.do(ctx, "discovery", http.MethodGet, cfg, nil)
	if err != nil {
		return "", err
	}
	if resp.status != http.StatusOK {
		return "", ParseErrorResponse("discovery", resp.status, resp.body)
	}
	guid, ok := issuerTenant(resp.body, auth)
	if !ok {
		return "", invalidResponse("discovery", resp.status, "OpenID configuration has no issuer naming a tenant ID of this cloud", nil)
	}
	return guid, nil
}

// issuerTenant reads the tenant GUID from an OpenID configuration's
// issuer, which must be {scheme}://{a host of auth's cloud}/{guid}/v2.0,
// or for a CIAM authority https://{guid}.ciamlogin.com/{guid}/v2.0.
func issuerTenant(body []byte, auth Authority) (string, bool) {
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return "", false
	}
	u, err := url.Parse(doc.Issuer)
	if err != nil || u.Scheme != auth.Scheme || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	guid, rest, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if !IsGUID(guid) || rest != "v2.0" {
		return "", false
	}
	// External ID's issuer host is the tenant ID's own CIAM host,
	// https://{guid}.ciamlogin.com/{guid}/v2.0, whatever name the authority
	// uses (https://github.com/AzureAD/microsoft-authentication-library-for-js/issues/8592
	// and the fix in its pull request #8595).
	ciam := auth.IsCIAM() && strings.EqualFold(u.Host, guid+ciamSuffix)
	if !ciam && !containsFold(auth.Aliases(), u.Host) {
		return "", false
	}
	return strings.ToLower(guid), true
}
