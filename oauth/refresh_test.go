package oauth_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
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
			o.Cache, o.AuthenticationRecord, o.DisableAutomaticAuthentication = c.Client().Cache(), rec, true
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
		client, err := oauth.NewClient("", &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID})
		if err != nil {
			t.Fatal(err)
		}
		form := map[string][]string{"grant_type": {"password"}, "username": {fa.DefaultUsername}, "password": {fa.DefaultPassword}}
		req := &oauth.InteractiveRequest{Scopes: []string{graphScope}, TenantID: fa.DefaultTenantID}
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
