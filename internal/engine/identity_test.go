package engine_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

const (
	bobUsername = "bob@contoso.onmicrosoft.com"
	bobObjectID = "1c2d3e4f-0000-4000-8000-000000000b0b"
)

// withBob adds a second user of the default tenant.
func withBob(a *fa.Authority) {
	a.Directory().AddUser(fa.User{Username: bobUsername, Password: fa.DefaultPassword, ObjectID: bobObjectID})
}

func sharedCache(shared *cache.Cache) func(*oauth.ClientOptions) {
	return func(o *oauth.ClientOptions) { o.Cache = shared }
}

// A credential bound to a user never serves another user's token from a
// shared cache, even when that user is the only account there; an
// unbound client does serve the only account (its documented behaviour).
func TestBoundCredentialNeverServesAnotherUser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		withBob(a)
		shared := cache.New(nil, nil)
		alice := mustToken(t, newPassword(t, a, fa.DefaultUsername, sharedCache(shared)), graph)
		a.ResetLog()

		bob := newPassword(t, a, bobUsername, sharedCache(shared))
		tok := mustToken(t, bob, graph)
		if tok.Token == alice.Token {
			t.Fatal("the password credential for bob returned alice's cached access token")
		}
		if n := a.Count(fa.EndpointToken); n != 1 {
			t.Errorf("bob's first token made %d token requests, want 1 (his own sign-in)", n)
		}

		// The same user, spelled in another case, is served from the cache.
		a.ResetLog()
		again := mustToken(t, newPassword(t, a, "ALICE@Contoso.onmicrosoft.com", sharedCache(shared)), graph)
		if again.Token != alice.Token || a.Count(fa.EndpointToken) != 0 {
			t.Errorf("alice in capitals: token reused %v, %d requests; want alice's cached token, 0 requests",
				again.Token == alice.Token, a.Count(fa.EndpointToken))
		}

		// Unbound: the only account of a fresh cache is served.
		only := cache.New(nil, nil)
		first := mustToken(t, newPassword(t, a, fa.DefaultUsername, sharedCache(only)), graph)
		c, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: only})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.GetToken(context.Background(), graph, nil)
		if err != nil || got.Token != first.Token {
			t.Errorf("unbound client: %v, same token %v; want the only account's token", err, got.Token == first.Token)
		}
	})
}

// A client built from bob's AuthenticationRecord keeps to bob after his
// account is removed: it does not fall back to alice, now the only account.
func TestRecordBoundAfterRemoveAccount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		withBob(a)
		shared := cache.New(nil, nil)
		alice := mustToken(t, newPassword(t, a, fa.DefaultUsername, sharedCache(shared)), graph)
		rec, err := newPassword(t, a, bobUsername, sharedCache(shared)).Authenticate(context.Background(), graph)
		if err != nil {
			t.Fatal(err)
		}
		c, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), Cache: shared, AuthenticationRecord: rec})
		if err != nil {
			t.Fatal(err)
		}
		accts, _ := c.Accounts(context.Background())
		for _, acct := range accts {
			if acct.Username == bobUsername {
				if err := c.RemoveAccount(context.Background(), acct); err != nil {
					t.Fatal(err)
				}
			}
		}
		tok, err := c.GetToken(context.Background(), graph, nil)
		if err == nil && tok.Token == alice.Token {
			t.Fatal("a client bound to bob's record returned alice's token after bob's account was removed")
		}
		if !errors.Is(err, oauth.ErrInteractionRequired) {
			t.Errorf("err = %v, want an AuthenticationRequiredError", err)
		}
	})
}

// A sign-in answered for another user than the password credential's is
// refused, and nothing is cached.
func TestBoundCredentialRefusesAnotherUsersSignIn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		withBob(a)
		a.SetIDTokenHook(func(c map[string]any) { c["preferred_username"] = bobUsername })
		c := newPassword(t, a, fa.DefaultUsername, nil)
		_, err := c.GetToken(context.Background(), graph)
		if !errors.Is(err, oauth.ErrAccountMismatch) {
			t.Fatalf("err = %v, want ErrAccountMismatch", err)
		}
		assertNothingCached(t, c)
	})
}

func assertNothingCached(t *testing.T, c *password.Credential) {
	t.Helper()
	if n := cacheOf(c).Len(); n.AccessTokens+n.RefreshTokens+n.IDTokens+n.Accounts != 0 {
		t.Errorf("entries cached from a refused response: %+v", n)
	}
}

// openid is always requested: a token response without an ID token is
// refused (OIDC Core 3.1.3.3) and nothing is cached.
func TestTokenResponseWithoutIDTokenRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		a.SetTokenResponseHook(func(r map[string]any) { delete(r, "id_token") })
		c := newPassword(t, a, fa.DefaultUsername, nil)
		_, err := c.GetToken(context.Background(), graph)
		var oe *oauth.Error
		if !errors.Is(err, oauth.ErrInvalidIDToken) || !errors.As(err, &oe) {
			t.Fatalf("err = %v, want an *oauth.Error matching ErrInvalidIDToken", err)
		}
		assertNothingCached(t, c)
	})
}

// client_info is unsigned: when its uid or utid disagrees with the signed
// ID token's oid and tid, the response is refused and nothing is cached.
func TestClientInfoMustMatchIDToken(t *testing.T) {
	enc := func(uid, utid string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"` + uid + `","utid":"` + utid + `"}`))
	}
	cases := map[string]string{
		"uid of another user":    enc(bobObjectID, fa.DefaultTenantID),
		"utid of another tenant": enc(fa.DefaultUserObjectID, fa.SecondTenantID),
		"no utid":                enc(fa.DefaultUserObjectID, ""),
	}
	for name, ci := range cases {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := fa.New(nil)
				a.SetTokenResponseHook(func(r map[string]any) { r["client_info"] = ci })
				c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.TenantID = oauth.TenantOrganizations })
				_, err := c.GetToken(context.Background(), graph)
				if !errors.Is(err, oauth.ErrAccountMismatch) {
					t.Fatalf("err = %v, want ErrAccountMismatch", err)
				}
				assertNothingCached(t, c)
			})
		})
	}
}

// A refresh cannot switch the user (OIDC Core 12.2): a refreshed ID token
// with another sub is refused, the refresh token and cached access token
// stay, and the credential keeps serving the original user.
func TestRefreshCannotSwitchUser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, nil)
		first := mustToken(t, c, graph)
		before := cacheOf(c).Len()
		a.SetIDTokenHook(func(cl map[string]any) { cl["sub"] = "another-subject" })
		a.ResetLog()
		_, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
		if !errors.Is(err, oauth.ErrAccountMismatch) {
			t.Fatalf("refresh with another sub: err = %v, want ErrAccountMismatch", err)
		}
		if n := a.Count(fa.EndpointToken); n != 1 {
			t.Errorf("%d token requests, want 1 (the refused refresh, no sign-in after it)", n)
		}
		if after := cacheOf(c).Len(); after != before {
			t.Errorf("cache changed by a refused refresh: %+v -> %+v", before, after)
		}
		a.SetIDTokenHook(nil)
		if tok := mustToken(t, c, graph); tok.Token != first.Token {
			t.Error("the original user's cached token is no longer served")
		}
	})
}

// A tenant given by domain name is resolved to its GUID (once per process,
// from that tenant's OpenID configuration) and the ID token's tid is
// pinned to it, as for a tenant given by GUID.
func TestDomainTenantPinsTID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		domain := func(o *oauth.ClientOptions) { o.TenantID = fa.DefaultTenantDomain }
		for range 2 {
			mustToken(t, newPassword(t, a, fa.DefaultUsername, domain), graph)
		}
		if n := a.Count(fa.EndpointDiscovery); n != 1 {
			t.Errorf("%d OpenID configuration requests for two sign-ins, want 1", n)
		}
		a.SetIDTokenHook(func(c map[string]any) {
			c["tid"] = fa.SecondTenantID
			c["iss"] = strings.Replace(c["iss"].(string), fa.DefaultTenantID, fa.SecondTenantID, 1)
		})
		c := newPassword(t, a, fa.DefaultUsername, domain)
		if _, err := c.GetToken(context.Background(), graph); !errors.Is(err, oauth.ErrInvalidIDToken) {
			t.Fatalf("token of another tenant for %s: err = %v, want ErrInvalidIDToken", fa.DefaultTenantDomain, err)
		}
		assertNothingCached(t, c)
	})
}

// A flow's step (a broker, say) cannot choose the identity: the Claims
// and Account of the result it returns are rebuilt from its ID token, and
// a result without one is refused.
func TestStepResultIdentityRederived(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID})
		if err != nil {
			t.Fatal(err)
		}
		forged := func(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
			res, err := c.RedeemToken(ctx, req, map[string][]string{"grant_type": {"password"},
				"username": {fa.DefaultUsername}, "password": {fa.DefaultPassword}}, "")
			if err != nil {
				return nil, err
			}
			res.Account = oauth.Account{HomeAccountID: "evil.evil", Username: "mallory@evil.example"}
			res.Claims.TenantID = "evil"
			return res, nil
		}
		rec, err := c.Authenticate(context.Background(), graph, forged)
		if err != nil {
			t.Fatal(err)
		}
		if want := fa.DefaultUserObjectID + "." + fa.DefaultTenantID; rec.HomeAccountID != want || rec.Username != fa.DefaultUsername {
			t.Errorf("record = %+v, want the signed-in user (%s)", rec, want)
		}
		noIDToken := func(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
			res, err := forged(ctx, req)
			if err == nil {
				res.IDToken = ""
			}
			return res, err
		}
		if _, err := c.Authenticate(context.Background(), graph, noIDToken); !errors.Is(err, oauth.ErrInvalidIDToken) {
			t.Errorf("a step result without an ID token: err = %v, want ErrInvalidIDToken", err)
		}
	})
}
