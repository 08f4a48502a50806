package bench_test

import (
	"context"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// maxWarmAllocs is entraauth's budget of heap allocations for a warm
// silent call: none (MSAL Go makes 21).
const maxWarmAllocs = 0

// TestWarmSilentAllocs counts heap allocations per warm silent call (valid
// cached token) with testing.AllocsPerRun, which is deterministic, unlike
// time: entraauth must stay within maxWarmAllocs; MSAL Go's and
// azidentity's counts are logged. Speed itself is left to the benchmarks.
func TestWarmSilentAllocs(t *testing.T) {
	for _, l := range libs {
		t.Run(l.name, func(t *testing.T) {
			a := fa.New(nil)
			c := l.newClient(t, a, false)
			ctx := context.Background()
			if err := c.signIn(ctx); err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			if _, err := c.token(ctx, graphScopes); err != nil {
				t.Fatalf("first silent token: %v", err)
			}
			a.ResetLog()
			var err error
			allocs := testing.AllocsPerRun(200, func() {
				if _, e := c.token(ctx, graphScopes); e != nil {
					err = e
				}
			})
			if err != nil {
				t.Fatalf("warm call: %v", err)
			}
			if n := len(a.Requests()); n != 0 {
				t.Fatalf("warm calls sent %d requests (%s)", n, fmtCounts(a.Counts()))
			}
			t.Logf("%s: %.0f allocs per warm silent call", l.name, allocs)
			if l.name == "entraauth" && allocs > maxWarmAllocs {
				t.Errorf("%.0f allocs per warm silent call, want <= %d", allocs, maxWarmAllocs)
			}
		})
	}
}
