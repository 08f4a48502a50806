package engine_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// A new process for a domain-named tenant, whose tenant ID is not kept
// beside the cache, with OpenID discovery down and the access token
// expired: GetToken fails with the discovery error after one lookup (with
// its one retry) and sends no token request, whose ID token could not be
// checked anyway. (Before, the lookup was tried again when the answer's
// ID token was checked: twice the wait, and a token request thrown away.)
func TestDomainTenantDiscoveryDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		first := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.TenantID = fa.DefaultTenantDomain })
		mustToken(t, first, graph)
		time.Sleep(2 * time.Hour) // the access token expires; the refresh token does not
		state, err := a.MarshalState()
		if err != nil {
			t.Fatal(err)
		}
		next, err := fa.Restore(state, nil) // another transport: nothing this process learnt is shared
		if err != nil {
			t.Fatal(err)
		}
		next.InjectFault(fa.EndpointDiscovery, fa.Fault{Times: -1, Status: 503})
		c := newPassword(t, next, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.TenantID, o.Cache = fa.DefaultTenantDomain, cacheOf(first)
			o.DisableAutomaticAuthentication = true
		})
		_, err = c.GetToken(context.Background(), graph)
		counts := next.Counts()
		if err == nil || counts[fa.EndpointToken] != 0 || counts[fa.EndpointDiscovery] > 2 {
			t.Errorf("GetToken = %v with requests %v; want the discovery error, no token request, one discovery (and its retry)", err, counts)
		}
	})
}

// A tenant ID kept beside the cache for over a day still picks the cache
// key, but an ID token's tid is checked against a fresh one: with a
// stale and wrong ID stored (a domain moved, or the file edited), the
// next refresh asks discovery once, is accepted for the right tenant,
// and its tokens are written under the right ID.
func TestStaleTenantIDNotTrustedForTid(t *testing.T) {
	path := t.TempDir() + "/cache.json"
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		first := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.TenantID, o.Cache = fa.DefaultTenantDomain, fileCache(t, path)
		})
		mustToken(t, first, graph)
		time.Sleep(2 * time.Hour)
		const wrong = "0badc0de-0000-4000-8000-000000000000"
		c := fileCache(t, path)
		auth := a.AuthorityURL(fa.DefaultTenantDomain)
		if err := c.StoreTenantID(context.Background(), auth, wrong, time.Now().Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		next, err := fa.Restore(mustState(t, a), nil)
		if err != nil {
			t.Fatal(err)
		}
		cred := newPassword(t, next, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.TenantID, o.Cache, o.DisableAutomaticAuthentication = fa.DefaultTenantDomain, c, true
		})
		if _, err := cred.GetToken(context.Background(), graph); err != nil {
			t.Fatalf("GetToken with a stale, wrong stored ID: %v", err)
		}
		if n := next.Counts()[fa.EndpointDiscovery]; n != 1 {
			t.Errorf("%d discovery requests; want 1 (the tid check's fresh lookup)", n)
		}
		if id, fresh := c.StoredTenantID(context.Background(), auth, time.Now()); id != fa.DefaultTenantID || !fresh {
			t.Errorf("stored ID after the refresh: %q (fresh %v), want %s", id, fresh, fa.DefaultTenantID)
		}
		if _, ok := c.AccessToken(cacheKeyFor(t, c, fa.DefaultTenantID)); !ok {
			t.Error("the new access token is not under the right tenant ID")
		}
	})
}

func mustState(t *testing.T, a *fa.Authority) []byte {
	t.Helper()
	b, err := a.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cacheKeyFor is the graph access token's key of the cache's one account
// under realm.
func cacheKeyFor(t *testing.T, c *cache.Cache, realm string) cache.AccessTokenKey {
	t.Helper()
	accts := c.Accounts(fa.DefaultHost, oauth.AzureCLIClientID)
	if len(accts) == 0 {
		t.Fatal("no account in the cache")
	}
	return cache.NewAccessTokenKey(accts[0].HomeAccountID, fa.DefaultHost, realm, oauth.AzureCLIClientID, graph.Scopes, "", false)
}
