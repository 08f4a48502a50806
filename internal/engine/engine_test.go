package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

const (
	graphScope = "https://graph.microsoft.com/.default"
	armScope   = "https://management.azure.com/.default"
)

var graph = oauth.TokenOptions{Scopes: []string{graphScope}}

// newPassword returns a password credential for user against the
// in-memory authority, with the default tenant unless mod changes it.
func newPassword(t *testing.T, a *fa.Authority, user string, mod func(*oauth.ClientOptions)) *password.Credential {
	t.Helper()
	o := &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}
	if mod != nil {
		mod(o)
	}
	if o.Cache == nil {
		o.Cache = cache.New(nil, nil)
	}
	c, err := password.New("", &password.Options{ClientOptions: *o, Username: user, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	credCaches.Store(c, o.Cache)
	return c
}

// credCaches maps each credential newPassword made to its token cache.
var credCaches sync.Map

// cacheOf returns the token cache of a credential newPassword made.
func cacheOf(c *password.Credential) *cache.Cache {
	v, _ := credCaches.Load(c)
	return v.(*cache.Cache)
}

func mustToken(t *testing.T, c oauth.Credential, o oauth.TokenOptions) oauth.AccessToken {
	t.Helper()
	tok, err := c.GetToken(context.Background(), o)
	if err != nil {
		t.Fatalf("GetToken(%v): %v", o.Scopes, err)
	}
	if tok.Token == "" || tok.TokenType != "Bearer" {
		t.Fatalf("GetToken returned %+v", tok)
	}
	return tok
}

func TestCachesUntilExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(&fa.Options{AccessTokenLifetime: time.Hour}) // no refresh_in
		c := newPassword(t, a, fa.DefaultUsername, nil)
		first := mustToken(t, c, graph)
		if got := a.Count(fa.EndpointToken); got != 1 {
			t.Fatalf("sign-in made %d token requests, want 1", got)
		}
		a.ResetLog()
		time.Sleep(50 * time.Minute)
		if tok := mustToken(t, c, graph); tok.Token != first.Token {
			t.Error("a valid cached token was not returned")
		}
		if n := len(a.Requests()); n != 0 {
			t.Fatalf("cache hit made %d requests (%v), want none", n, a.Counts())
		}
		// 5 minutes before expiry: the cached token at once, one background refresh.
		time.Sleep(6 * time.Minute)
		if tok := mustToken(t, c, graph); tok.Token != first.Token {
			t.Error("the still-valid token was not returned during proactive refresh")
		}
		synctest.Wait()
		if got := a.RequestsTo(fa.EndpointToken); len(got) != 1 || got[0].GrantType != "refresh_token" {
			t.Fatalf("proactive refresh: %d token requests, want 1 refresh_token grant", len(got))
		}
		second := mustToken(t, c, graph)
		if second.Token == first.Token || !second.ExpiresOn.After(first.ExpiresOn) {
			t.Error("the refreshed token is not served after the background refresh")
		}
		// After expiry with no background refresh: the caller waits for one refresh.
		a.ResetLog()
		time.Sleep(2 * time.Hour)
		third := mustToken(t, c, graph)
		if third.Token == second.Token || a.Count(fa.EndpointToken) != 1 || a.Count(fa.EndpointUserRealm) != 0 {
			t.Errorf("expired token: counts %v, want one token request and no sign-in", a.Counts())
		}
	})
}

func TestRefreshAtRefreshOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(&fa.Options{RefreshIn: 10 * time.Minute})
		c := newPassword(t, a, fa.DefaultUsername, nil)
		first := mustToken(t, c, graph)
		if want := time.Now().Add(10 * time.Minute); !first.RefreshOn.Equal(want) {
			t.Fatalf("RefreshOn = %v, want %v", first.RefreshOn, want)
		}
		a.ResetLog()
		time.Sleep(9 * time.Minute)
		mustToken(t, c, graph)
		synctest.Wait()
		if n := a.Count(fa.EndpointToken); n != 0 {
			t.Fatalf("refreshed before refresh_on: %d requests", n)
		}
		// A failing background refresh is logged, not returned. (MFA for
		// this resource: the refresh token stays usable. A revoked one,
		// 50173, is removed: TestRefusedRefreshTokenRemoved.)
		// Each call past refresh_on starts at most one background refresh;
		// the test waits for it after each call, because the next call may
		// legitimately start another once a failed one has ended (calls
		// made while one runs join it, and TestSingleFlight covers that).
		a.InjectFault(fa.EndpointToken, fa.Fault{Times: 2, AADSTS: 50076, Status: 400})
		time.Sleep(2 * time.Minute)
		for i := range 2 {
			if tok := mustToken(t, c, graph); tok.Token != first.Token {
				t.Fatal("old token not returned while refresh fails")
			}
			synctest.Wait()
			if n := a.Count(fa.EndpointToken); n != i+1 {
				t.Fatalf("call %d: %d background refreshes in all, want %d (one per call, then the flight ends)", i+1, n, i+1)
			}
		}
		a.ClearFaults()
		mustToken(t, c, graph) // starts a new background refresh
		synctest.Wait()
		if tok := mustToken(t, c, graph); tok.Token == first.Token {
			t.Error("token not renewed after refresh_on")
		}
	})
}

func TestSingleFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, nil)
		mustToken(t, c, graph)
		run := func(o oauth.TokenOptions) map[string]int {
			a.ResetLog()
			var wg sync.WaitGroup
			var mu sync.Mutex
			seen := map[string]int{}
			for range 1000 {
				wg.Go(func() {
					tok, err := c.GetToken(context.Background(), o)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seen[tok.Token]++
					mu.Unlock()
				})
			}
			wg.Wait()
			return seen
		}
		time.Sleep(2 * time.Hour) // expired
		if seen := run(graph); a.Count(fa.EndpointToken) != 1 || len(seen) != 1 {
			t.Errorf("expired token: %d token requests, %d distinct tokens; want 1 and 1", a.Count(fa.EndpointToken), len(seen))
		}
		arm := oauth.TokenOptions{Scopes: []string{armScope}}
		if seen := run(arm); a.Count(fa.EndpointToken) != 1 || len(seen) != 1 {
			t.Errorf("new scope: %d token requests, %d distinct tokens; want 1 and 1", a.Count(fa.EndpointToken), len(seen))
		}
		if got := a.RequestsTo(fa.EndpointToken); len(got) == 1 && got[0].GrantType != "refresh_token" {
			t.Errorf("new scope used grant %q, want refresh_token", got[0].GrantType)
		}
	})
}

func TestClaimsAndCAE(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, nil)
		first := mustToken(t, c, graph)
		a.ResetLog()
		challenge := `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`
		tok := mustToken(t, c, oauth.TokenOptions{Scopes: []string{graphScope}, Claims: challenge, EnableCAE: true})
		reqs := a.RequestsTo(fa.EndpointToken)
		if len(reqs) != 1 || tok.Token == first.Token {
			t.Fatalf("claims did not bypass the cache: %d requests", len(reqs))
		}
		got := reqs[0].Params.Get("claims")
		want := `{"access_token":{"acrs":{"essential":true,"value":"c1"},"xms_cc":{"values":["cp1"]}}}`
		if got != want {
			t.Errorf("claims sent = %s, want %s", got, want)
		}
		// CAE and non-CAE tokens are cached apart.
		cae := oauth.TokenOptions{Scopes: []string{graphScope}, EnableCAE: true}
		a.ResetLog()
		if tok := mustToken(t, c, graph); tok.Token != first.Token {
			t.Error("non-CAE request got the CAE token")
		}
		caeTok := mustToken(t, c, cae)
		if caeTok.Token == first.Token {
			t.Error("CAE request got the non-CAE token")
		}
		if again := mustToken(t, c, cae); again.Token != caeTok.Token {
			t.Error("CAE token not cached")
		}
		if n := a.Count(fa.EndpointToken); n != 0 {
			t.Errorf("%d token requests; the claims request should have cached a CAE token", n)
		}
		if _, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{graphScope}, Claims: "{nope"}); !errors.Is(err, oauth.ErrInvalidClaims) {
			t.Errorf("bad claims: %v", err)
		}
	})
}

func TestTenantGate(t *testing.T) {
	t.Setenv("AZURE_ADDITIONALLY_ALLOWED_TENANTS", "")
	a := fa.New(nil)
	c := newPassword(t, a, fa.DefaultUsername, nil)
	_, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{graphScope}, TenantID: fa.SecondTenantID})
	var tna *oauth.TenantNotAllowedError
	if !errors.As(err, &tna) || tna.TenantID != fa.SecondTenantID || len(a.Requests()) != 0 {
		t.Fatalf("not allowed: err %v, %d requests", err, len(a.Requests()))
	}
	for _, allow := range []func(*oauth.ClientOptions){
		func(o *oauth.ClientOptions) { o.AdditionallyAllowedTenants = []string{fa.SecondTenantID} },
		func(o *oauth.ClientOptions) { o.AdditionallyAllowedTenants = []string{"*"} },
		func(o *oauth.ClientOptions) { t.Setenv("AZURE_ADDITIONALLY_ALLOWED_TENANTS", "x;"+fa.SecondTenantID) },
	} {
		a.ResetLog()
		c := newPassword(t, a, fa.DefaultUsername, allow)
		_, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{graphScope}, TenantID: fa.SecondTenantID})
		if errors.As(err, &tna) {
			t.Errorf("allowed tenant refused: %v", err)
		}
		reqs := a.RequestsTo(fa.EndpointToken)
		if len(reqs) != 1 || reqs[0].Tenant != fa.SecondTenantID {
			t.Errorf("allowed tenant: token requests %+v, want one to %s", len(reqs), fa.SecondTenantID)
		}
		t.Setenv("AZURE_ADDITIONALLY_ALLOWED_TENANTS", "")
	}
	if _, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{graphScope}, TenantID: "a/b"}); !errors.Is(err, oauth.ErrInvalidAuthority) {
		t.Errorf("malformed tenant: %v", err)
	}
}

func TestDisableAutomaticAuthentication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.DisableAutomaticAuthentication = true })
		_, err := c.GetToken(context.Background(), graph)
		var are *oauth.AuthenticationRequiredError
		if !errors.As(err, &are) || are.TokenOptions.Scopes[0] != graphScope || !errors.Is(err, oauth.ErrInteractionRequired) {
			t.Fatalf("err = %v, want *AuthenticationRequiredError for the request", err)
		}
		if n := len(a.Requests()); n != 0 {
			t.Fatalf("%d requests before Authenticate", n)
		}
		if _, err := c.Authenticate(context.Background(), graph); err != nil {
			t.Fatal(err)
		}
		a.ResetLog()
		mustToken(t, c, graph)
		mustToken(t, c, oauth.TokenOptions{Scopes: []string{armScope}}) // by refresh token: still allowed
		if n := a.Count(fa.EndpointUserRealm); n != 0 {
			t.Errorf("signed in again (%d user realm requests)", n)
		}
	})
}

func TestRetryAndContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, nil)
		a.InjectFault(fa.EndpointToken, fa.Fault{Status: 503, RetryAfter: 2 * time.Second})
		start := time.Now()
		mustToken(t, c, graph)
		reqs := a.RequestsTo(fa.EndpointToken)
		if len(reqs) != 2 || reqs[0].Header.Get("client-request-id") != reqs[1].Header.Get("client-request-id") {
			t.Fatalf("503: %d token requests, want 2 with one client-request-id", len(reqs))
		}
		if d := reqs[1].Time.Sub(reqs[0].Time); d != 2*time.Second || time.Since(start) < 2*time.Second {
			t.Errorf("retried after %v, want Retry-After 2s", d)
		}
		// A hung token endpoint: every caller is bounded by its own context.
		a.InjectFault(fa.EndpointToken, fa.Fault{Times: -1, Delay: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel2()
		arm := oauth.TokenOptions{Scopes: []string{armScope}}
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := c.GetToken(ctx2, arm); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("second caller: %v", err)
			}
			if d := time.Since(start); d < 20*time.Second {
				t.Errorf("second caller gave up early (%v)", d)
			}
		})
		if _, err := c.GetToken(ctx, arm); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("first caller: err = %v, want DeadlineExceeded", err)
		}
		wg.Wait()
		a.ClearFaults()
	})
}

func TestAccounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, nil)
		mustToken(t, c, graph)
		accts, err := c.Accounts(context.Background())
		if err != nil || len(accts) != 1 {
			t.Fatalf("Accounts = %v, %v", accts, err)
		}
		want := fa.DefaultUserObjectID + "." + fa.DefaultTenantID
		if accts[0].HomeAccountID != want || accts[0].Username != fa.DefaultUsername || accts[0].LocalAccountID != fa.DefaultUserObjectID {
			t.Errorf("account = %+v", accts[0])
		}
		if err := c.RemoveAccount(context.Background(), accts[0]); err != nil {
			t.Fatal(err)
		}
		if accts, _ := c.Accounts(context.Background()); len(accts) != 0 {
			t.Errorf("after RemoveAccount: %v", accts)
		}
		if n := cacheOf(c).Len(); n.AccessTokens+n.RefreshTokens+n.IDTokens != 0 {
			t.Errorf("tokens left after RemoveAccount: %+v", n)
		}
		a.ResetLog()
		mustToken(t, c, graph)
		if a.Count(fa.EndpointUserRealm) != 1 {
			t.Error("no new sign-in after the account was removed")
		}
	})
}

func TestFamilyRefreshToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		cli := newPassword(t, a, fa.DefaultUsername, nil)
		rec, err := cli.Authenticate(context.Background(), graph)
		if err != nil {
			t.Fatal(err)
		}
		a.ResetLog()
		ps, err := engine.New(fa.AzurePowerShellClientID, &oauth.ClientOptions{
			HTTPClient: a.Client(), Cache: cacheOf(cli),
			AuthenticationRecord: oauth.AuthenticationRecord{HomeAccountID: rec.HomeAccountID, TenantID: rec.TenantID, Authority: rec.Authority},
		})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := ps.GetToken(context.Background(), graph, nil)
		if err != nil {
			t.Fatalf("family client: %v", err)
		}
		reqs := a.RequestsTo(fa.EndpointToken)
		if tok.Token == "" || len(reqs) != 1 || reqs[0].GrantType != "refresh_token" || reqs[0].Params.Get("client_id") != fa.AzurePowerShellClientID {
			t.Errorf("family refresh: %d token requests", len(reqs))
		}
	})
}
