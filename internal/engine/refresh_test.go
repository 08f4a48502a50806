package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// The interactive step runs only when no usable refresh token exists: a
// revoked refresh token leads to a new sign-in, or with automatic
// authentication disabled to *AuthenticationRequiredError.
func TestRevokedRefreshToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, nil)
		rec, err := c.Authenticate(context.Background(), graph)
		if err != nil {
			t.Fatal(err)
		}
		quiet := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.Cache, o.AuthenticationRecord, o.DisableAutomaticAuthentication = cacheOf(c), rec, true
		})
		if n := a.RevokeRefreshTokens(fa.DefaultUsername); n == 0 {
			t.Fatal("no refresh token to revoke")
		}
		time.Sleep(2 * time.Hour)
		a.ResetLog()
		var are *oauth.AuthenticationRequiredError
		if _, err := quiet.GetToken(context.Background(), graph); !errors.As(err, &are) {
			t.Errorf("revoked refresh token with automatic authentication off: %v", err)
		}
		mustToken(t, c, graph)
		if a.Count(fa.EndpointUserRealm) != 1 {
			t.Errorf("revoked refresh token: counts %v, want a new sign-in", a.Counts())
		}
	})
}

// RedeemToken checks the nonce it is given against the ID token.
func TestRedeemTokenNonce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		client, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID})
		if err != nil {
			t.Fatal(err)
		}
		form := map[string][]string{"grant_type": {"password"}, "username": {fa.DefaultUsername}, "password": {fa.DefaultPassword}}
		req := &engine.InteractiveRequest{Scopes: []string{graphScope}, TenantID: fa.DefaultTenantID}
		if _, err := client.RedeemToken(context.Background(), req, form, "n-0S6_WzA2Mj"); !errors.Is(err, oauth.ErrInvalidIDToken) {
			t.Errorf("ID token without the sent nonce: err = %v, want ErrInvalidIDToken", err)
		}
		res, err := client.RedeemToken(context.Background(), req, form, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Claims == nil || res.Account.Username != fa.DefaultUsername || res.Account.Realm != fa.DefaultTenantID || res.FamilyID != "1" {
			t.Errorf("result: claims %v, account %+v, foci %q", res.Claims != nil, res.Account, res.FamilyID)
		}
	})
}

// A caller that arrives when the token is about to expire, while a
// proactive refresh is running, waits for it; when that refresh fails the
// caller does not get its error but a token by the full path.
func TestJoinFailingBackgroundRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil) // 1 hour tokens
		c := newPassword(t, a, fa.DefaultUsername, nil)
		first := mustToken(t, c, graph)
		time.Sleep(time.Until(first.ExpiresOn) - 61*time.Second)
		a.ResetLog()
		a.InjectFault(fa.EndpointToken, fa.Fault{Delay: 30 * time.Second, AADSTS: 70000})
		if tok := mustToken(t, c, graph); tok.Token != first.Token { // starts the background refresh
			t.Fatal("cached token not returned")
		}
		time.Sleep(2 * time.Second)   // under a minute left: this caller must wait
		tok := mustToken(t, c, graph) // fails if the background flight's error leaks
		if tok.Token == first.Token || a.Count(fa.EndpointToken) != 2 {
			t.Errorf("after a failed background refresh: counts %v, want a second refresh", a.Counts())
		}
	})
}

// No credential-wide lock: while one request waits on a hung token
// endpoint (azidentity holds a mutex across the whole GetToken), cached
// tokens are still served at once.
func TestNoCredentialWideLock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, nil)
		mustToken(t, c, graph)
		a.InjectFault(fa.EndpointToken, fa.Fault{Delay: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			_, err := c.GetToken(ctx, oauth.TokenOptions{Scopes: []string{armScope}})
			done <- err
		}()
		synctest.Wait() // the ARM request is blocked in the token endpoint
		start := time.Now()
		mustToken(t, c, graph)
		if d := time.Since(start); d != 0 {
			t.Errorf("a cached token waited %v behind another request", d)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("hung request: %v", err)
		}
	})
}

// A refresh token the authority refuses is removed from the cache, so
// it is redeemed once and not on every call. A refusal that asks for a
// sign-in for these scopes only (MFA, Conditional Access, a family token
// offered to the wrong client) keeps it.
func TestRefusedRefreshTokenRemoved(t *testing.T) {
	revoke := func(t *testing.T, a *fa.Authority) {
		if a.RevokeRefreshTokens(fa.DefaultUsername) == 0 {
			t.Fatal("no refresh token to revoke")
		}
	}
	fault := func(f fa.Fault) func(*testing.T, *fa.Authority) {
		return func(_ *testing.T, a *fa.Authority) { a.InjectFault(fa.EndpointToken, f) }
	}
	for _, tc := range []struct {
		name    string
		refuse  func(*testing.T, *fa.Authority)
		removed bool
	}{
		{"revoked (50173)", revoke, true},
		{"inactive (700082)", fault(fa.Fault{AADSTS: 700082}), true},
		{"inactive (70008)", fault(fa.Fault{AADSTS: 70008}), true},
		{"unknown to the authority (9002313)", fault(fa.Fault{AADSTS: 9002313, Error: "invalid_grant"}), true},
		{"sign-in frequency (70043)", fault(fa.Fault{AADSTS: 70043}), true},
		{"MFA for this resource (50076)", fault(fa.Fault{AADSTS: 50076}), false},
		{"blocked by Conditional Access (53003)", fault(fa.Fault{AADSTS: 53003}), false},
		{"claims challenge", fault(fa.Fault{AADSTS: 70000, Claims: `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`}), false},
		{"family token for another client", fault(fa.Fault{AADSTS: 70000, SubError: "client_mismatch"}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := fa.New(nil)
				c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.DisableAutomaticAuthentication = true })
				rec, err := c.Authenticate(context.Background(), graph)
				if err != nil {
					t.Fatal(err)
				}
				cc := cacheOf(c)
				own := cache.NewRefreshTokenKey(rec.HomeAccountID, "login.microsoftonline.com", oauth.AzureCLIClientID, "")
				family := cache.NewRefreshTokenKey(rec.HomeAccountID, "login.microsoftonline.com", "", "1")
				if _, ok := cc.RefreshToken(own); !ok {
					t.Fatal("no refresh token cached after the sign-in")
				}
				time.Sleep(2 * time.Hour) // the access token expired
				tc.refuse(t, a)
				a.ResetLog()
				var are *oauth.AuthenticationRequiredError
				if _, err := c.GetToken(context.Background(), graph); !errors.As(err, &are) {
					t.Fatalf("refused refresh token: err = %v, want *AuthenticationRequiredError", err)
				}
				if reqs := a.RequestsTo(fa.EndpointToken); len(reqs) != 1 || reqs[0].GrantType != "refresh_token" {
					t.Fatalf("token requests: %d (%v), want one refresh_token grant", len(reqs), a.Counts())
				}
				_, ownLeft := cc.RefreshToken(own)
				_, famLeft := cc.RefreshToken(family)
				if tc.removed == (ownLeft || famLeft) {
					t.Fatalf("refresh token still cached: own %v, family %v; want removed %v", ownLeft, famLeft, tc.removed)
				}
				a.ResetLog()
				a.ClearFaults()
				_, err = c.GetToken(context.Background(), graph)
				if tc.removed {
					if !errors.As(err, &are) || len(a.Requests()) != 0 {
						t.Errorf("next GetToken: err = %v, %d requests; want *AuthenticationRequiredError without a request", err, len(a.Requests()))
					}
				} else if a.Count(fa.EndpointToken) != 1 {
					t.Errorf("next GetToken: err = %v, counts %v; want the kept refresh token redeemed again", err, a.Counts())
				}
			})
		})
	}
}

// The removal reaches the persisted cache: the next process, on the same
// file, does not redeem the refused refresh token either.
func TestRefusedRefreshTokenRemovedFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		process := func() *password.Credential {
			st, err := cache.NewPlaintextFile(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			return newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
				o.Cache, o.DisableAutomaticAuthentication = cache.New(st, nil), true
			})
		}
		first := process()
		if _, err := first.Authenticate(context.Background(), graph); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Hour)
		a.RevokeRefreshTokens(fa.DefaultUsername)
		a.ResetLog()
		var are *oauth.AuthenticationRequiredError
		if _, err := first.GetToken(context.Background(), graph); !errors.As(err, &are) || a.Count(fa.EndpointToken) != 1 {
			t.Fatalf("revoked: err = %v, counts %v; want *AuthenticationRequiredError after one refresh", err, a.Counts())
		}
		a.ResetLog()
		if _, err := process().GetToken(context.Background(), graph); !errors.As(err, &are) || len(a.Requests()) != 0 {
			t.Errorf("next process: err = %v, %d requests; want *AuthenticationRequiredError without a request", err, len(a.Requests()))
		}
	})
}

// A proactive refresh refused because the refresh token is dead removes
// it: the still-valid cached token keeps being served, and later calls in
// the renewal window do not start one refused refresh each.
func TestRefusedProactiveRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(&fa.Options{RefreshIn: 10 * time.Minute})
		c := newPassword(t, a, fa.DefaultUsername, nil)
		first := mustToken(t, c, graph)
		a.RevokeRefreshTokens(fa.DefaultUsername)
		time.Sleep(11 * time.Minute) // past refresh_on
		a.ResetLog()
		for range 5 {
			if tok := mustToken(t, c, graph); tok.Token != first.Token {
				t.Fatal("the valid cached token was not served")
			}
			synctest.Wait() // the background refresh, if one started, is done
			time.Sleep(time.Minute)
		}
		if n := a.Count(fa.EndpointToken); n != 1 {
			t.Errorf("%d refresh requests in the renewal window, want 1 (then the refused token is gone)", n)
		}
	})
}

// A cache shared with MSAL Python after a rotation: the redeemed refresh
// token sits under the client's key marked newest (a writer that stamped
// it late), the live one under MSAL Python's per-scope key. With
// single-use refresh tokens the first is refused (AADSTS70000); GetToken
// then redeems the other in the same call instead of asking for a sign-in.
func TestRefusedRefreshTokenThenNewer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(&fa.Options{RejectRefreshTokenReuse: true})
		c := newPassword(t, a, fa.DefaultUsername, nil)
		rec, err := c.Authenticate(context.Background(), graph)
		if err != nil {
			t.Fatal(err)
		}
		own := cacheOf(c)
		redeemed := refreshSecrets(t, own)[0]
		time.Sleep(2 * time.Hour)
		mustToken(t, c, graph) // redeems it; the rotated token replaces it
		live := refreshSecrets(t, own)[0]
		if live == redeemed {
			t.Fatal("the refresh did not rotate the refresh token")
		}

		shared := cache.New(nil, nil)
		if err := shared.UnmarshalJSON(plantRedeemed(t, own, redeemed, live)); err != nil {
			t.Fatal(err)
		}
		quiet := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.Cache, o.AuthenticationRecord, o.DisableAutomaticAuthentication = shared, rec, true
		})
		time.Sleep(2 * time.Hour)
		a.ResetLog()
		if _, err := quiet.GetToken(context.Background(), graph); err != nil {
			t.Fatalf("GetToken with a live refresh token behind a redeemed one: %v", err)
		}
		if n := a.Count(fa.EndpointToken); n != 2 {
			t.Errorf("token requests = %d, want 2 (the refused token, then the live one)", n)
		}
		// The refused token is gone, the new one comes first, and MSAL
		// Python's entry stays under its key (another library's).
		got := refreshSecrets(t, shared)
		if len(got) != 2 || got[0] == redeemed || got[0] == live || got[1] != live {
			t.Errorf("refresh tokens after the call: %d, want the new one then MSAL Python's", len(got))
		}
	})
}

// refreshSecrets lists the secrets of the cache's refresh tokens for the
// fake's user, newest first.
func refreshSecrets(t *testing.T, c *cache.Cache) []string {
	t.Helper()
	accts := c.Accounts("", "")
	if len(accts) == 0 {
		t.Fatal("no account cached")
	}
	var out []string
	for _, rt := range c.RefreshTokens(accts[0].HomeAccountID, accts[0].Environment, oauth.AzureCLIClientID) {
		out = append(out, rt.Secret)
	}
	return out
}

// plantRedeemed returns c's document with its refresh tokens replaced by
// two entries: redeemed under MSAL .NET's key, stamped now; live under
// MSAL Python's "<client>--<target>" key, stamped ten minutes earlier.
func plantRedeemed(t *testing.T, c *cache.Cache, redeemed, live string) []byte {
	t.Helper()
	data, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	for _, e := range doc["RefreshToken"] {
		tmpl = e
	}
	entry := func(secret string, at time.Time, target string) map[string]any {
		e := map[string]any{}
		for k, v := range tmpl {
			e[k] = v
		}
		e["secret"], e["last_modification_time"] = secret, strconv.FormatInt(at.Unix(), 10)
		if target != "" {
			e["target"] = target
		}
		return e
	}
	prefix := tmpl["home_account_id"].(string) + "-" + tmpl["environment"].(string) + "-refreshtoken-" + tmpl["client_id"].(string) + "--"
	now := time.Now()
	doc["RefreshToken"] = map[string]map[string]any{
		prefix:              entry(redeemed, now, ""),
		prefix + graphScope: entry(live, now.Add(-10*time.Minute), graphScope),
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
