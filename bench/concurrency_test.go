package bench_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// stormCallers is how many goroutines call at once.
const stormCallers = 1000

// raceCallers replaces stormCallers under -race for the cells where every
// caller gets a freshly minted token (MSAL Go with latency): 1,000 of them
// take about 10 s without the race detector and far too long with it.
const raceCallers = 100

// stormResult is what one storm did.
type stormResult struct {
	lib, scenario string
	latency       time.Duration
	callers       int
	tokenRequests int            // requests that reached the token endpoint
	grants        map[string]int // their grant_type values
	other         int            // requests to any other endpoint
	errors        int            // callers that got an error
	firstErr      error
	distinct      int // distinct access tokens the callers got
}

// storm signs l in on a new in-memory fake inside the current synctest
// bubble, prepares scenario, then releases n goroutines at once, each
// asking for a token, and counts what reached the fake.
//
//   - "expired": the cached access token has expired (the bubble's clock
//     is moved 2 h past a 1 h token); the refresh token is valid.
//   - "newscope": a valid token for Graph is cached, and the callers ask
//     for Azure Resource Manager, for which only the refresh token serves.
//
// latency > 0 holds every token request at the fake for that long, in the
// bubble's fake time, as a network round trip would: then every caller has
// read the cache before the first refresh answers, and the count does not
// depend on scheduling.
func storm(t *testing.T, l lib, scenario string, latency time.Duration, n int) stormResult {
	t.Helper()
	a := fa.New(nil) // its clock is the bubble's
	c := l.newClient(t, a, false)
	ctx := context.Background()
	if err := c.signIn(ctx); err != nil {
		t.Fatalf("%s: sign-in: %v", l.name, err)
	}
	scopes := graphScopes
	switch scenario {
	case "expired":
		time.Sleep(2 * time.Hour)
	case "newscope":
		scopes = armScopes
	default:
		t.Fatalf("unknown scenario %q", scenario)
	}
	a.ResetLog()
	if latency > 0 {
		f := fa.Delay(latency)
		f.Times = -1
		a.InjectFault(fa.EndpointToken, f)
	}

	start := make(chan struct{})
	toks := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			toks[i], errs[i] = c.token(ctx, scopes)
		})
	}
	synctest.Wait() // every caller is parked on start
	close(start)
	wg.Wait()
	a.ClearFaults()

	r := stormResult{lib: l.name, scenario: scenario, latency: latency, callers: n, grants: map[string]int{}}
	for _, req := range a.Requests() {
		if req.Endpoint == fa.EndpointToken {
			r.tokenRequests++
			r.grants[req.GrantType]++
		} else {
			r.other++
		}
	}
	seen := map[string]bool{}
	for i, err := range errs {
		if err != nil {
			r.errors++
			if r.firstErr == nil {
				r.firstErr = err
			}
			continue
		}
		seen[toks[i]] = true
	}
	r.distinct = len(seen)
	return r
}

// TestConcurrentRefresh releases 1,000 goroutines at once on one client
// that must renew a token (expired access token, or a new scope with only
// the refresh token cached) and counts the requests that reach the
// token endpoint. entraauth must send exactly one, and every caller must
// get that one token. MSAL Go and azidentity are recorded (t.Logf) as
// they behave.
//
// Expiry is the bubble's fake clock (testing/synctest), which all three
// libraries read through time.Now, so nothing sleeps. azidentity runs
// without the fake latency only: its callers wait on a sync.Mutex held
// across the token request, and a goroutine blocked on a mutex is not
// "durably blocked" for synctest, so the bubble's clock could never
// reach the end of the delay (the test would hang). Its mutex admits one
// caller at a time anyway, so its count cannot depend on the latency.
func TestConcurrentRefresh(t *testing.T) {
	type cell struct {
		lib     lib
		latency time.Duration
		callers int
	}
	var cells []cell
	for _, l := range libs {
		cells = append(cells, cell{l, 0, stormCallers})
		switch {
		case l.name == "msalgo" && raceBuild:
			cells = append(cells, cell{l, 100 * time.Millisecond, raceCallers})
		case l.name != "azidentity":
			cells = append(cells, cell{l, 100 * time.Millisecond, stormCallers})
		}
	}
	var results []stormResult
	for _, scenario := range []string{"expired", "newscope"} {
		for _, c := range cells {
			name := fmt.Sprintf("%s/%s/latency=%v", scenario, c.lib.name, c.latency)
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					r := storm(t, c.lib, scenario, c.latency, c.callers)
					results = append(results, r)
					checkStorm(t, r)
				})
			})
		}
	}
	t.Logf("callers at once on one client:\n%s", stormTable(results))
	if raceBuild {
		t.Logf("-race build: MSAL Go with latency ran %d callers, not %d; run without -race for the full storm", raceCallers, stormCallers)
	}
}

// checkStorm asserts entraauth's single flight; for the other libraries
// it checks only that the scenario happened (at least one refresh).
func checkStorm(t *testing.T, r stormResult) {
	t.Helper()
	if r.tokenRequests == 0 {
		t.Errorf("%s: no token request: the scenario did not make the token need renewing", r.lib)
	}
	if r.lib != "entraauth" {
		return
	}
	if r.tokenRequests != 1 || r.grants["refresh_token"] != 1 {
		t.Errorf("token endpoint got %d requests (%v), want exactly 1 refresh_token grant", r.tokenRequests, r.grants)
	}
	if r.errors != 0 {
		t.Errorf("%d of %d callers failed; first: %v", r.errors, r.callers, r.firstErr)
	}
	if r.distinct != 1 {
		t.Errorf("callers got %d distinct tokens, want the one shared token", r.distinct)
	}
}

func stormTable(rs []stormResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %-11s %-8s %7s %14s  %-22s %6s %7s %9s\n",
		"scenario", "library", "latency", "callers", "token requests", "grant types", "other", "errors", "distinct")
	for _, r := range rs {
		var g []string
		for _, k := range slices.Sorted(maps.Keys(r.grants)) {
			g = append(g, fmt.Sprintf("%s=%d", k, r.grants[k]))
		}
		fmt.Fprintf(&b, "%-9s %-11s %-8v %7d %14d  %-22s %6d %7d %9d\n",
			r.scenario, r.lib, r.latency, r.callers, r.tokenRequests, strings.Join(g, " "), r.other, r.errors, r.distinct)
	}
	return b.String()
}
