package msalgo

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// TestDomainTenantMSALGoToOurs: MSAL Go configured with a tenant named
// by its domain keys its entries by that domain (its storage takes the
// realm from the authority's tenant segment, apps/internal/base/storage),
// where MSAL Python and this module key them by the tenant ID. Our
// client, configured the same way in a new process, still finds MSAL
// Go's access token with no token request: whether it does not know the
// tenant's ID yet, or knows it from the file beside the cache (an
// earlier run of ours), when the domain is where it looks second.
func TestDomainTenantMSALGoToOurs(t *testing.T) {
	for _, idKnown := range []bool{false, true} {
		t.Run(map[bool]string{false: "ID unknown", true: "ID kept beside the cache"}[idKnown], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "msal_token_cache.json")
			s := newMSAL(t, msalOptions{tenant: fakeauthority.DefaultTenantDomain, cache: ours{fileCache(t, path)}})
			ctx := ctxFor(t)
			res, err := s.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
			if err != nil {
				t.Fatal(err)
			}
			if got := realmsOf(t, path); len(got) == 0 || got[0] != fakeauthority.DefaultTenantDomain {
				t.Fatalf("MSAL Go's access tokens are under realms %v; this test expects the domain", got)
			}
			next := fileCache(t, path)
			if idKnown {
				if err := next.StoreTenantID(ctx, s.fa.URL()+"/"+fakeauthority.DefaultTenantDomain, fakeauthority.DefaultTenantID, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			c, err := engine.New("", &oauth.ClientOptions{AuthorityHost: s.fa.URL(), TenantID: fakeauthority.DefaultTenantDomain,
				HTTPClient: s.fa.TLSClient(), DisableInstanceDiscovery: true, Cache: next,
				AuthenticationRecord:           oauth.AuthenticationRecord{HomeAccountID: res.Account.HomeAccountID, Username: fakeauthority.DefaultUsername},
				DisableAutomaticAuthentication: true})
			if err != nil {
				t.Fatal(err)
			}
			before := s.fa.Count(fakeauthority.EndpointToken)
			tok, err := c.GetToken(ctx, oauth.TokenOptions{Scopes: scopes}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Token != res.AccessToken || s.fa.Count(fakeauthority.EndpointToken) != before {
				t.Errorf("ours did not serve MSAL Go's cached token (same token %v, token requests %d -> %d)",
					tok.Token == res.AccessToken, before, s.fa.Count(fakeauthority.EndpointToken))
			}
		})
	}
}

func fileCache(t *testing.T, path string) *cache.Cache {
	t.Helper()
	st, err := cache.NewPlaintextFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cache.New(st, nil)
}

// realmsOf returns the realms of a cache file's access tokens.
func realmsOf(t *testing.T, path string) []string {
	t.Helper()
	c := fileCache(t, path)
	if err := c.Sync(ctxFor(t)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AccessToken map[string]struct {
			Realm string `json:"realm"`
		}
	}
	if err := json.Unmarshal(mustJSON(t, c), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, at := range doc.AccessToken {
		out = append(out, at.Realm)
	}
	return out
}
