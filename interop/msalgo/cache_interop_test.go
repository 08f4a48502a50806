package msalgo

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	msalcache "github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// ours lets MSAL Go use an entraauth cache.Cache as its persistent cache:
// MSAL's Replace loads our serialized document (after Sync picks up what
// other processes stored), its Export merges MSAL's document into ours
// (persisted under the lock when the cache has a storage). Both directions
// go through the unified JSON schema only.
type ours struct{ c *cache.Cache }

func (o ours) Replace(ctx context.Context, u msalcache.Unmarshaler, _ msalcache.ReplaceHints) error {
	if err := o.c.Sync(ctx); err != nil {
		return err
	}
	data, err := o.c.MarshalJSON()
	if err != nil {
		return err
	}
	return u.Unmarshal(data)
}

func (o ours) Export(ctx context.Context, m msalcache.Marshaler, _ msalcache.ExportHints) error {
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	return o.c.Merge(ctx, data)
}

func newMSALClient(t *testing.T, s msalSetup, c *cache.Cache) public.Client {
	t.Helper()
	client, err := public.New(fakeauthority.AzureCLIClientID,
		public.WithAuthority(s.authority), public.WithHTTPClient(s.fa.TLSClient()),
		public.WithInstanceDiscovery(false), public.WithCache(ours{c}))
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestCacheInteropMSALToOurs: MSAL Go signs in and exports into our
// cache; our index finds its tokens; the document goes through our file
// storage; a fresh MSAL client loads it back and acquires silently, with
// no request to the token endpoint.
func TestCacheInteropMSALToOurs(t *testing.T) {
	c := cache.New(nil, nil)
	s := newMSAL(t, msalOptions{cache: ours{c}})
	ctx := ctxFor(t)
	res, err := s.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.authority)
	env, realm := u.Host, strings.ToLower(fakeauthority.DefaultTenantID)
	home := res.Account.HomeAccountID
	at, ok := c.AccessToken(cache.NewAccessTokenKey(home, env, realm, fakeauthority.AzureCLIClientID, scopes, "", false))
	if !ok || at.Secret != res.AccessToken {
		t.Fatalf("our index did not find MSAL's access token (found %v)", ok)
	}
	if _, ok := c.RefreshToken(cache.NewRefreshTokenKey(home, env, fakeauthority.AzureCLIClientID, "")); !ok {
		if _, ok := c.RefreshToken(cache.NewRefreshTokenKey(home, env, "", "1")); !ok {
			t.Errorf("our index did not find MSAL's refresh token")
		}
	}
	if accts := c.Accounts(env, fakeauthority.AzureCLIClientID); len(accts) != 1 || accts[0].Username != fakeauthority.DefaultUsername {
		t.Errorf("Accounts = %+v, want the signed-in user", accts)
	}

	// Through our persistence and back.
	st, err := cache.NewPlaintextFile(filepath.Join(t.TempDir(), "msal_token_cache.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cache.New(st, nil).Merge(ctx, mustJSON(t, c)); err != nil { // lock, merge, write the file
		t.Fatal(err)
	}
	reloaded := cache.New(st, nil)
	if err := reloaded.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	msal2 := newMSALClient(t, s, reloaded)
	accounts, err := msal2.Accounts(ctx)
	if err != nil || len(accounts) != 1 {
		t.Fatalf("MSAL Accounts from our file: %v, %v", accounts, err)
	}
	before := s.fa.Count(fakeauthority.EndpointToken)
	silent, err := msal2.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(accounts[0]))
	if err != nil {
		t.Fatalf("AcquireTokenSilent from our cache: %v", err)
	}
	if silent.AccessToken != res.AccessToken || s.fa.Count(fakeauthority.EndpointToken) != before {
		t.Errorf("silent token did not come from the cache (token requests %d -> %d)", before, s.fa.Count(fakeauthority.EndpointToken))
	}
}

// TestCacheInteropOursToMSAL: entries written by our Write (our keys, our
// field set) and no access token: MSAL Go must find our account and
// refresh silently with our refresh token, then export a document we load.
func TestCacheInteropOursToMSAL(t *testing.T) {
	seed := cache.New(nil, nil)
	s := newMSAL(t, msalOptions{cache: ours{seed}})
	ctx := ctxFor(t)
	res, err := s.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.authority)
	env, realm, home := u.Host, strings.ToLower(fakeauthority.DefaultTenantID), res.Account.HomeAccountID
	rt, ok := seed.RefreshToken(cache.NewRefreshTokenKey(home, env, fakeauthority.AzureCLIClientID, ""))
	if !ok {
		rt, ok = seed.RefreshToken(cache.NewRefreshTokenKey(home, env, "", "1"))
	}
	if !ok {
		t.Fatal("no refresh token from MSAL to start from")
	}
	acct, _ := seed.Account(home, env)
	id, _ := seed.IDToken(home, env, realm, fakeauthority.AzureCLIClientID)

	// Rebuild the cache from our own API only: fresh structs, our keys.
	c := cache.New(nil, nil)
	err = c.Write(ctx, cache.Update{
		RefreshToken: &cache.RefreshToken{HomeAccountID: home, Environment: env, ClientID: fakeauthority.AzureCLIClientID, Secret: rt.Secret, FamilyID: rt.FamilyID},
		IDToken:      &cache.IDToken{HomeAccountID: home, Environment: env, Realm: realm, ClientID: fakeauthority.AzureCLIClientID, Secret: id.Secret},
		Account: &cache.Account{HomeAccountID: home, Environment: env, Realm: acct.Realm, LocalAccountID: acct.LocalAccountID,
			Username: acct.Username, ClientInfo: acct.ClientInfo},
		AppMetadata: &cache.AppMetadata{ClientID: fakeauthority.AzureCLIClientID, Environment: env, FamilyID: rt.FamilyID},
	})
	if err != nil {
		t.Fatal(err)
	}
	msal2 := newMSALClient(t, s, c)
	accounts, err := msal2.Accounts(ctx)
	if err != nil || len(accounts) != 1 || accounts[0].PreferredUsername != fakeauthority.DefaultUsername {
		t.Fatalf("MSAL Accounts from our entries: %+v, %v", accounts, err)
	}
	before := s.fa.Count(fakeauthority.EndpointToken)
	silent, err := msal2.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(accounts[0]))
	if err != nil {
		t.Fatalf("AcquireTokenSilent with our refresh token: %v", err)
	}
	reqs := s.fa.RequestsTo(fakeauthority.EndpointToken)
	if len(reqs) != before+1 || reqs[len(reqs)-1].GrantType != "refresh_token" {
		t.Fatalf("want exactly one refresh_token request, got %d new", len(reqs)-before)
	}
	// MSAL exported the new token into our cache.
	at, ok := c.AccessToken(cache.NewAccessTokenKey(home, env, realm, fakeauthority.AzureCLIClientID, scopes, "", false))
	if !ok || at.Secret != silent.AccessToken {
		t.Errorf("our cache does not hold the token MSAL just refreshed")
	}
}

func mustJSON(t *testing.T, c *cache.Cache) []byte {
	t.Helper()
	data, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return data
}
