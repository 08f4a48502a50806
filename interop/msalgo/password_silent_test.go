package msalgo

import (
	"path/filepath"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// TestOurPasswordCredentialThenMSALSilent: our password credential signs
// in against the fake over TLS and persists the cache to a file; MSAL Go,
// loading that file, finds the account and acquires the same access token
// silently, with no request to the token endpoint.
func TestOurPasswordCredentialThenMSALSilent(t *testing.T) {
	s := newMSAL(t, msalOptions{})
	ctx := ctxFor(t)
	path := filepath.Join(t.TempDir(), "msal_token_cache.json")
	st, err := cache.NewPlaintextFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{
		AuthorityHost: s.fa.URL(), TenantID: fakeauthority.DefaultTenantID, HTTPClient: s.fa.TLSClient(),
		DisableInstanceDiscovery: true, Cache: cache.New(st, nil),
	}, Username: fakeauthority.DefaultUsername, Password: fakeauthority.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: scopes})
	if err != nil {
		t.Fatalf("our password credential: %v", err)
	}

	st2, err := cache.NewPlaintextFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromFile := cache.New(st2, nil)
	if err := fromFile.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	msal := newMSALClient(t, s, fromFile)
	accounts, err := msal.Accounts(ctx)
	if err != nil || len(accounts) != 1 || accounts[0].PreferredUsername != fakeauthority.DefaultUsername {
		t.Fatalf("MSAL Accounts from our file = %+v, %v", accounts, err)
	}
	before := s.fa.Count(fakeauthority.EndpointToken)
	res, err := msal.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(accounts[0]))
	if err != nil {
		t.Fatalf("MSAL AcquireTokenSilent from our file: %v", err)
	}
	if res.AccessToken != ours.Token || s.fa.Count(fakeauthority.EndpointToken) != before {
		t.Errorf("MSAL did not use our cached access token (token requests %d -> %d)", before, s.fa.Count(fakeauthority.EndpointToken))
	}
}
