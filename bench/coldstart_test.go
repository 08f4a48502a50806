package bench_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// coldRow is what one library sent for its first token and for the
// silent call after it.
type coldRow struct {
	lib       string
	discovery bool
	first     map[fa.Endpoint]int
	silent    map[fa.Endpoint]int
}

// coldStart builds a new client of l on a new fake (empty cache), takes
// the first token with the password grant, then one silent token for the
// same scope, and returns the requests each step sent.
func coldStart(t *testing.T, l lib, discovery bool) coldRow {
	t.Helper()
	a := fa.New(nil)
	c := l.newClient(t, a, discovery)
	ctx := context.Background()
	if err := c.signIn(ctx); err != nil {
		t.Fatalf("%s: first token: %v", l.name, err)
	}
	row := coldRow{lib: l.name, discovery: discovery, first: a.Counts()}
	a.ResetLog()
	tok, err := c.token(ctx, graphScopes)
	if err != nil || tok == "" {
		t.Fatalf("%s: silent token after sign-in: %q, %v", l.name, tok, err)
	}
	row.silent = a.Counts()
	return row
}

// TestColdStart counts, per library and per endpoint, the HTTP requests
// for a first token (new client, empty cache, password grant) and for the
// silent call after it, with instance discovery off and at each library's
// default (on). All three talk to the same in-memory fake, which
// pretends to be https://login.microsoftonline.com (a known cloud).
//
// entraauth's counts are asserted: one user realm lookup, one token
// request and one key-set fetch (it verifies the ID token's signature,
// which MSAL Go and azidentity do not), no OIDC discovery document (the
// v2.0 endpoints are fixed templates), no instance discovery for a known
// cloud, and nothing at all for the silent call. The other libraries'
// counts are logged, not asserted: they are what they are.
func TestColdStart(t *testing.T) {
	want := map[fa.Endpoint]int{fa.EndpointUserRealm: 1, fa.EndpointToken: 1, fa.EndpointKeys: 1}
	var rows []coldRow
	for _, discovery := range []bool{false, true} {
		for _, l := range libs {
			t.Run(fmt.Sprintf("%s/discovery=%v", l.name, discovery), func(t *testing.T) {
				row := coldStart(t, l, discovery)
				rows = append(rows, row)
				if l.name != "entraauth" {
					return
				}
				if !maps.Equal(row.first, want) {
					t.Errorf("first token sent %s, want %s", fmtCounts(row.first), fmtCounts(want))
				}
				if n := total(row.silent); n != 0 {
					t.Errorf("silent call after sign-in sent %d requests (%s), want 0", n, fmtCounts(row.silent))
				}
			})
		}
	}
	t.Log("\n" + coldTable(rows))
}

func total(m map[fa.Endpoint]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// fmtCounts prints counters sorted by endpoint: "keys=1 token=1".
func fmtCounts(m map[fa.Endpoint]int) string {
	if total(m) == 0 {
		return "none"
	}
	var parts []string
	for _, ep := range slices.Sorted(maps.Keys(m)) {
		if m[ep] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", ep, m[ep]))
		}
	}
	return strings.Join(parts, " ")
}

func coldTable(rows []coldRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-11s %-9s %5s  %-62s %s\n", "library", "discovery", "total", "first token (requests per endpoint)", "silent call after")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-11s %-9v %5d  %-62s %s\n", r.lib, r.discovery, total(r.first), fmtCounts(r.first), fmtCounts(r.silent))
	}
	return b.String()
}
