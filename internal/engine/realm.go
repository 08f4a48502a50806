package engine

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

// realmID names an authority whose tenant is a domain: its host and
// tenant segment as configured (no allocation to build).
type realmID struct{ host, tenant string }

// cacheRealm returns the realm auth's tokens, ID tokens and accounts are
// cached under. For an authority that names its tenant by a domain
// (https://login.microsoftonline.com/contoso.com, a CIAM host with or
// without its {name}.onmicrosoft.com path) that is the tenant's ID, as
// MSAL Python writes it: msal/token_cache.py takes the realm from the
// token endpoint that OpenID discovery returns
// (canonicalize(event["token_endpoint"])), and Entra's token endpoint
// names the tenant ID; MSAL.NET keys by the ID token's tid, the same ID.
// So `az`, MSAL Python and this module find each other's tokens.
//
// The ID comes from this process's earlier resolution, else from the
// one stored beside the cache (cache.StoredTenantID): no network. When
// neither knows it, the realm is the tenant segment, under which MSAL
// Go and earlier versions of this module wrote; the caller that must go
// to the network resolves the ID first (resolveRealm).
func (c *Client) cacheRealm(ctx context.Context, auth Authority) string {
	if auth == c.auth {
		if p := c.authRealm.Load(); p != nil {
			return *p
		}
	}
	if !isDomainTenant(auth) {
		return auth.Tenant
	}
	id := realmID{auth.Host, auth.Tenant}
	c.realmMu.RLock()
	guid, ok := c.realms[id]
	c.realmMu.RUnlock()
	if !ok {
		guid = c.knownRealm(ctx, auth, id)
	}
	if guid == "" {
		return auth.Tenant
	}
	return guid
}

// knownRealm is the tenant ID of a domain authority that this process
// resolved already or the storage keeps, "" when neither; remembered for
// the client either way (a later resolution replaces the "").
func (c *Client) knownRealm(ctx context.Context, auth Authority, id realmID) string {
	guid := ""
	l := c.lookupTenantIfStarted(auth)
	if l != nil {
		select {
		case <-l.done:
			if l.err == nil {
				guid = l.guid
			}
		default:
		}
	}
	if guid == "" {
		// Stale or not: it only picks the key to look under.
		guid, _ = c.cache.StoredTenantID(ctx, c.authorityString(auth), time.Now())
		guid = strings.ToLower(guid)
		if !IsGUID(guid) {
			guid = ""
		}
	}
	c.setRealm(id, guid)
	return guid
}

// setRealm remembers a domain authority's tenant ID for this client; ""
// (not known) never replaces a known ID.
func (c *Client) setRealm(id realmID, guid string) {
	c.realmMu.Lock()
	defer c.realmMu.Unlock()
	if c.realms == nil {
		c.realms = map[realmID]string{}
	}
	if guid == "" && c.realms[id] != "" {
		return
	}
	if len(c.realms) >= maxTenantGUIDs {
		clear(c.realms)
	}
	c.realms[id] = guid
	if guid != "" && id == (realmID{c.auth.Host, c.auth.Tenant}) {
		c.authRealm.Store(&guid)
	}
}

// resolveRealm makes sure a domain authority's tenant ID is known before
// a token request or a cache write: from memory or storage, else from
// the authority's OpenID configuration (one request per process, as
// MSAL Python makes at start). It returns the realm to use; when the
// resolution fails (the authority unreachable) that is the tenant
// segment, with the error: a token request would be refused anyway when
// its ID token's tid is checked, so a caller about to send one returns
// the error instead (after looking under the domain).
func (c *Client) resolveRealm(ctx context.Context, auth Authority) (string, error) {
	realm := c.cacheRealm(ctx, auth)
	if realm != auth.Tenant || !isDomainTenant(auth) {
		return realm, nil
	}
	guid, err := c.tenantGUID(ctx, auth)
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "oauth: the domain tenant's ID is unknown",
			slog.String("tenant", auth.Tenant), slog.String("error", err.Error()))
		return auth.Tenant, err
	}
	return guid, nil
}

// equivalentRealmToken is the lookup after a miss under realm, the
// authority's (cacheRealm): a valid access token stored under a realm
// that names the same tenant for this account. MSAL stores a token
// under the tenant segment of the authority it was requested from (MSAL
// Python and this module the tenant ID of a domain, MSAL Go the domain
// itself), and a sign-in through "organizations", "common" or
// "consumers" gets its tokens from the account's home tenant (the utid of
// "uid.utid"): so for a request to the home tenant (a credential built
// from an AuthenticationRecord, whose tenant is the ID token's tid) those
// realms hold equivalent tokens, and for a request through them so does
// the home tenant's realm. A request to any other tenant (a guest tenant)
// uses its own realm (ID or domain) only. No allocation: the keys come
// from the memo.
func (c *Client) equivalentRealmToken(opts oauth.TokenOptions, auth Authority, realm, home string, now time.Time) (*tokenHit, bool) {
	if realm != auth.Tenant {
		if at, ok := c.lookupAccess(c.memoEntry(opts.Scopes, auth.Host, auth.Tenant, opts.EnableCAE, home), now); ok {
			return at, true
		}
	}
	_, utid, _ := strings.Cut(home, ".")
	switch {
	case utid == "" || auth.IsADFS():
	case strings.EqualFold(realm, utid):
		for _, r := range [...]string{oauth.TenantOrganizations, oauth.TenantCommon, oauth.TenantConsumers} {
			if at, ok := c.lookupAccess(c.memoEntry(opts.Scopes, auth.Host, r, opts.EnableCAE, home), now); ok {
				return at, true
			}
		}
	case auth.IsTenantIndependent():
		return c.lookupAccess(c.memoEntry(opts.Scopes, auth.Host, utid, opts.EnableCAE, home), now)
	}
	return nil, false
}
