package engine_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// TestCIAMCacheKeys: the cache entries a CIAM sign-in writes carry the
// environment and realm MSAL Python gives them, so each library finds
// the other's. MSAL Python (AzureAD/microsoft-authentication-library-for-python):
//   - msal/application.py passes environment=authority.instance, the
//     authority's lower-cased host (msal/authority.py, canonicalize);
//   - msal/token_cache.py (__add) takes the realm from the token
//     endpoint: canonicalize(event["token_endpoint"]), its first path
//     segment; the token endpoint is the one OIDC discovery names for
//     the tenant the authority resolves to (msal/authority.py: the path
//     segment, or {name}.onmicrosoft.com for a path-less CIAM host).
//
// The expected realm is computed that way from the fake's discovery
// document, not written down. The fake's document for a tenant named by
// its domain names the tenant ID in its endpoints, as Entra's does, so
// the path-less and domain forms are keyed by the tenant ID.
func TestCIAMCacheKeys(t *testing.T) {
	host := "https://" + fa.CIAMHost
	for _, tc := range []struct {
		name, authorityHost, tenant string
		msalAuthority               string // the same authority, as MSAL Python is given it
	}{
		{"path-less", host + "/", "", host},
		{"path-less, no slash", host, "", host},
		{"host in capitals", "https://" + strings.ToUpper(fa.CIAMHost) + "/", "", "https://" + strings.ToUpper(fa.CIAMHost)},
		{"domain path", host + "/" + fa.DefaultTenantDomain, "", host + "/" + fa.DefaultTenantDomain},
		{"tenant-ID path", host + "/" + fa.DefaultTenantID, "", host + "/" + fa.DefaultTenantID},
		{"tenant option", host + "/", fa.DefaultTenantID, host + "/" + fa.DefaultTenantID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := fa.New(nil)
				env, realm := msalPythonKeys(t, a.Client(), tc.msalAuthority)
				c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
					o.AuthorityHost, o.TenantID = tc.authorityHost, tc.tenant
				})
				mustToken(t, c, graph)
				b, err := cacheOf(c).MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				var doc map[string]map[string]struct {
					Environment string  `json:"environment"`
					Realm       *string `json:"realm"`
				}
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatal(err)
				}
				for _, kind := range []string{"AccessToken", "IdToken", "Account", "RefreshToken", "AppMetadata"} {
					if len(doc[kind]) == 0 {
						t.Errorf("no %s entry", kind)
					}
					for _, e := range doc[kind] {
						if e.Environment != env {
							t.Errorf("%s environment %q, MSAL Python writes %q", kind, e.Environment, env)
						}
						if e.Realm != nil && *e.Realm != realm {
							t.Errorf("%s realm %q, MSAL Python writes %q", kind, *e.Realm, realm)
						}
					}
				}
			})
		})
	}
}

// msalPythonKeys returns the environment and realm MSAL Python writes for
// a sign-in through authority (see TestCIAMCacheKeys).
func msalPythonKeys(t *testing.T, hc *http.Client, authority string) (env, realm string) {
	t.Helper()
	u, err := url.Parse(authority)
	if err != nil {
		t.Fatal(err)
	}
	env = strings.ToLower(u.Hostname())
	tenant, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if tenant == "" {
		tenant = strings.TrimSuffix(env, ".ciamlogin.com") + ".onmicrosoft.com"
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet,
		"https://"+env+"/"+tenant+"/v2.0/.well-known/openid-configuration", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery for %s: %d %v", tenant, resp.StatusCode, err)
	}
	te, err := url.Parse(doc.TokenEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	realm, _, _ = strings.Cut(strings.TrimPrefix(te.Path, "/"), "/")
	return env, realm
}
