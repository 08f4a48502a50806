package conformance

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// engineChecks are the silent-acquisition checks: cache, refresh,
// single-flight, claims, CAE, tenants, automatic authentication, records.
func engineChecks() []check {
	return []check{
		{name: "cached-until-expiry", desc: "a token is served from the cache until it nears expiry, with no request; then renewed without the user", run: checkCachedUntilExpiry},
		{name: "refresh-at-refresh-on", desc: "at refresh_on the cached token is still served and one refresh renews it in the background", fake: &fakeauthority.Options{RefreshIn: 10 * time.Minute}, run: checkRefreshOn},
		{name: "refresh-token-rotation", desc: "each refresh uses the newest refresh token (the authority refuses a redeemed one)", fake: &fakeauthority.Options{RejectRefreshTokenReuse: true}, run: checkRotation},
		{name: "refresh-without-new-refresh-token", desc: "a refresh answer without refresh_token keeps the old one in use", run: checkNoNewRT},
		{name: "single-flight", desc: "1,000 concurrent callers share one sign-in (1 token request), then one refresh", run: checkSingleFlight},
		{name: "claims-bypass-cache", desc: "a claims challenge is never answered from the cache; the request carries the claims", run: checkClaims},
		{name: "cae-kept-apart", desc: "CAE (cp1) and non-CAE tokens are requested and cached apart", run: checkCAE},
		{name: "tenant-gating", desc: "a TenantID outside AdditionallyAllowedTenants is refused with no request; an allowed one is used", run: checkTenantGating},
		{name: "disable-automatic-authentication", desc: "DisableAutomaticAuthentication returns *oauth.AuthenticationRequiredError, with no prompt and no request", run: checkDisableAuto},
		{name: "authenticate-record", desc: "Authenticate returns a record from which a new credential gets tokens silently", run: checkAuthenticate},
		{name: "new-process-silent", desc: "a second credential over the same persistent storage (a new cache object, nothing in memory, no record) is silent: no prompt, no request", run: checkNewProcessSilent},
	}
}

func checkCachedUntilExpiry(k *kit) {
	first := k.mustGet(graph)
	if !first.ExpiresOn.After(time.Now()) {
		k.Errorf("ExpiresOn = %v, not in the future", first.ExpiresOn)
	}
	n, asked := k.requests(), k.env.Asked()
	for _, d := range []time.Duration{0, time.Second, 10 * time.Minute, 40 * time.Minute} {
		time.Sleep(d)
		if tok := k.mustGet(graph); tok.Token != first.Token {
			k.Fatalf("after %v: a new token while the cached one is valid", d)
		}
	}
	settle()
	k.noRequestsSince(n, "GetToken while a cached token is valid")
	time.Sleep(20 * time.Minute) // past expiry
	tok := k.mustGet(graph)
	if tok.Token == first.Token {
		k.Errorf("an expired token was served from the cache")
	}
	if k.env.Asked() != asked || k.signIns() != 1 {
		k.Errorf("renewing an expired token asked the user (%d prompts, %d sign-ins); the refresh token should serve", k.env.Asked()-asked, k.signIns())
	}
}

func checkRefreshOn(k *kit) {
	first := k.mustGet(graph)
	n := k.requests()
	time.Sleep(9 * time.Minute)
	if tok := k.mustGet(graph); tok.Token != first.Token {
		k.Fatalf("a new token before refresh_on")
	}
	settle()
	k.noRequestsSince(n, "GetToken before refresh_on")
	time.Sleep(2 * time.Minute) // past refresh_on, 49 minutes before expiry
	tok, err := k.get(context.Background(), graph)
	if err != nil {
		k.Fatalf("GetToken after refresh_on: %v", err)
	}
	settle()
	if got := k.tokenGrants("refresh_token"); got != 1 {
		k.Fatalf("%d refresh requests after refresh_on, want 1", got)
	}
	_ = tok // the cached token or the renewed one: both are valid
	n = k.requests()
	next := k.mustGet(graph)
	if next.Token == first.Token {
		k.Errorf("the renewed token is not served after the refresh")
	}
	settle()
	k.noRequestsSince(n, "GetToken after the background refresh")
}

// fanOut runs n concurrent GetToken calls and returns their tokens.
func (k *kit) fanOut(n int) map[string]int {
	k.Helper()
	var mu sync.Mutex
	tokens := map[string]int{}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			tok, err := k.get(context.Background(), graph)
			if err != nil {
				k.Errorf("GetToken: %v", err)
				return
			}
			mu.Lock()
			tokens[tok.Token]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return tokens
}

func checkSingleFlight(k *kit) {
	const callers = 1000
	if got := k.fanOut(callers); len(got) != 1 {
		k.Errorf("%d callers got %d different tokens, want 1", callers, len(got))
	}
	if got := k.tokenGrants(""); got != 1 {
		k.Errorf("%d concurrent callers made %d token requests, want 1", callers, got)
	}
	if k.cfg.Interactive && k.env.Asked() != 1 {
		k.Errorf("the user was asked %d times, want 1", k.env.Asked())
	}
	time.Sleep(61 * time.Minute) // every cached token expired
	if got := k.fanOut(callers); len(got) != 1 {
		k.Errorf("after expiry %d callers got %d different tokens, want 1", callers, len(got))
	}
	if got := k.tokenGrants("refresh_token"); got != 1 {
		k.Errorf("after expiry %d concurrent callers made %d refresh requests, want 1", callers, got)
	}
}

const acrsClaims = `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`

func checkClaims(k *kit) {
	first := k.mustGet(graph)
	n := k.requests()
	o := graph
	o.Claims = acrsClaims
	tok := k.mustGet(o)
	if tok.Token == first.Token {
		k.Errorf("a claims challenge was answered with the cached token")
	}
	sent := false
	for _, r := range k.requestsSince(n) {
		if strings.Contains(r.Params.Get("claims"), `"acrs"`) {
			sent = true
		}
	}
	if !sent {
		k.Errorf("no request after the challenge carried its claims")
	}
}

func checkCAE(k *kit) {
	cae := graph
	cae.EnableCAE = true
	a := k.mustGet(cae)
	if !k.lastTokenClaims(0, "cp1") {
		k.Errorf("the CAE request did not declare cp1 in claims")
	}
	n := k.requests()
	b := k.mustGet(graph)
	if a.Token == b.Token {
		k.Fatalf("the non-CAE request was answered with the CAE token")
	}
	if k.lastTokenClaims(n, "cp1") {
		k.Errorf("the non-CAE request declared cp1")
	}
	n = k.requests()
	if k.mustGet(cae).Token != a.Token || k.mustGet(graph).Token != b.Token {
		k.Errorf("CAE and non-CAE tokens are not each cached")
	}
	settle()
	k.noRequestsSince(n, "cached CAE and non-CAE tokens")
}

// lastTokenClaims reports whether a token request after the first n
// carried claims containing s.
func (k *kit) lastTokenClaims(n int, s string) bool {
	for _, r := range k.requestsSince(n) {
		if r.Endpoint == fakeauthority.EndpointToken && strings.Contains(r.Params.Get("claims"), s) {
			return true
		}
	}
	return false
}

func checkTenantGating(k *kit) {
	k.mustGet(graph)
	n, asked := k.requests(), k.env.Asked()
	other := graph
	other.TenantID = fakeauthority.SecondTenantID
	if _, err := k.get(context.Background(), other); err == nil {
		k.Errorf("a token for a tenant not in AdditionallyAllowedTenants")
	} else if tna := (*oauth.TenantNotAllowedError)(nil); !errors.As(err, &tna) {
		k.Errorf("error %v is not *oauth.TenantNotAllowedError", err)
	}
	settle()
	k.noRequestsSince(n, "a refused tenant")
	if k.env.Asked() != asked {
		k.Errorf("a refused tenant asked the user to sign in")
	}
	// The allowed tenant is the configured one by its other name (the
	// CIAM run configures the domain, the path-less authority's tenant):
	// the user has no other tenant. A credential may serve a token it
	// cached for the configured name (a domain tenant's tokens are cached
	// under its ID, as MSAL Python keys them), so the allowed request asks
	// for a scope not cached yet, and its token request must name the
	// allowed tenant as the caller did.
	name := fakeauthority.DefaultTenantDomain
	if k.cfg.CIAM {
		name = fakeauthority.DefaultTenantID
	}
	env := *k.env
	env.Options.AdditionallyAllowedTenants = []string{name}
	k.sub = k.build(&env)
	k.mustGet(graph)
	n = k.requests()
	allowed := oauth.TokenOptions{Scopes: []string{"https://management.azure.com/.default"}, TenantID: name}
	k.mustGet(allowed)
	found := false
	for _, r := range k.requestsSince(n) {
		if r.Endpoint == fakeauthority.EndpointToken && strings.EqualFold(r.Tenant, name) {
			found = true
		}
	}
	if !found {
		k.Errorf("no token request went to the allowed tenant %s", name)
	}
}

func checkDisableAuto(k *kit) {
	env := *k.env
	env.Options.DisableAutomaticAuthentication = true
	k.sub = k.build(&env)
	n := k.requests()
	_, err := k.get(context.Background(), graph)
	var are *oauth.AuthenticationRequiredError
	if !errors.As(err, &are) {
		k.Errorf("GetToken = %v, want *oauth.AuthenticationRequiredError", err)
	} else if !errors.Is(err, oauth.ErrInteractionRequired) {
		k.Errorf("the error does not match oauth.ErrInteractionRequired")
	}
	settle()
	k.noRequestsSince(n, "GetToken with automatic authentication off", fakeauthority.EndpointDiscovery,
		fakeauthority.EndpointInstance, fakeauthority.EndpointKeys)
	if k.env.Asked() != 0 {
		k.Errorf("the user was asked to sign in with automatic authentication off")
	}
}

func checkAuthenticate(k *kit) {
	if k.sub.Authenticate == nil {
		k.Fatalf("the credential has no Authenticate")
	}
	rec, err := k.sub.Authenticate(context.Background(), graph)
	if err != nil {
		k.Fatalf("Authenticate: %v", err)
	}
	if rec.HomeAccountID == "" || !strings.EqualFold(rec.Username, k.env.Username) ||
		!strings.EqualFold(rec.TenantID, fakeauthority.DefaultTenantID) || rec.ClientID == "" {
		k.Errorf("record = %+v; want the account, the tenant and the client", rec)
	}
	env := *k.env
	env.Options.AuthenticationRecord = rec
	env.Options.DisableAutomaticAuthentication = true
	k.sub = k.build(&env)
	asked, signIns := k.env.Asked(), k.signIns()
	k.mustGet(graph)
	arm := oauth.TokenOptions{Scopes: []string{"https://management.azure.com/.default"}}
	k.mustGet(arm) // another resource: the refresh token serves
	if k.env.Asked() != asked || k.signIns() != signIns {
		k.Errorf("the credential rebuilt from the record signed in again")
	}
}

// refreshTwice lets the access token expire twice, renewing it each time,
// and checks neither renewal needed the user.
func (k *kit) refreshTwice() {
	k.Helper()
	k.mustGet(graph)
	for range 2 {
		time.Sleep(61 * time.Minute)
		k.mustGet(graph)
	}
	if got := k.tokenGrants("refresh_token"); got != 2 {
		k.Errorf("%d refresh requests for two expiries, want 2", got)
	}
	if got := k.signIns(); got != 1 {
		k.Errorf("%d sign-ins, want 1: a refresh failed", got)
	}
}

func checkRotation(k *kit) { k.refreshTwice() }

func checkNoNewRT(k *kit) {
	k.captureTokens(func(grant string, resp map[string]any) {
		if grant == "refresh_token" {
			delete(resp, "refresh_token")
		}
	})
	k.refreshTwice()
}

// checkNewProcessSilent: a second credential built over the same
// persistent storage (a new cache object, nothing in memory, no record),
// as a later run of the program builds it, is silent.
func checkNewProcessSilent(k *kit) {
	path := filepath.Join(k.TempDir(), "cache.json")
	open := func() *Env {
		st, err := cache.NewPlaintextFile(path, nil)
		if err != nil {
			k.Fatalf("opening the cache file: %v", err)
		}
		env := *k.env
		env.Options.Cache = cache.New(st, nil)
		return &env
	}
	first, err := k.build(open()).Credential.GetToken(k.base, graph)
	if err != nil {
		k.Fatalf("first run: %v", err)
	}
	settle()
	n, asked := k.requests(), k.env.Asked()
	tok, err := k.build(open()).Credential.GetToken(k.base, graph)
	if err != nil {
		k.Fatalf("second run over the same storage: %v", err)
	}
	settle()
	if tok.Token != first.Token || k.env.Asked() != asked {
		k.Errorf("second run: same token %v, %d prompts; want the stored token and no prompt", tok.Token == first.Token, k.env.Asked()-asked)
	}
	k.noRequestsSince(n, "a new credential over storage holding a valid token")
}
