package bench_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// coldRow is what one library sent for its first token and for the
// silent call after it.
type coldRow struct {
	lib, flow string
	discovery bool
	first     map[fa.Endpoint]int
	silent    map[fa.Endpoint]int
	wait      time.Duration // on the bubble's clock, until the first token
}

// coldStart builds a new client of l on a new fake (empty cache) inside a
// synctest bubble, takes the first token with flow ("password" or
// "device"; the fake approves a device code 1 ms after issuing it), then
// one silent token for the same scope, and returns the requests each
// step sent and how long the first token took on the bubble's clock
// (only waits count there: the device code flow's polling).
func coldStart(t *testing.T, l lib, flow string, discovery bool) coldRow {
	t.Helper()
	var row coldRow
	synctest.Test(t, func(t *testing.T) {
		newClient := l.newClient
		if flow == "device" {
			newClient = l.newDevice
		}
		a := fa.New(&fa.Options{AutoApproveDevice: time.Millisecond})
		c := newClient(t, a, discovery)
		ctx := context.Background()
		start := time.Now()
		if err := c.signIn(ctx); err != nil {
			t.Fatalf("%s: first token: %v", l.name, err)
		}
		row = coldRow{lib: l.name, flow: flow, discovery: discovery, first: a.Counts(), wait: time.Since(start)}
		a.ResetLog()
		tok, err := c.token(ctx, graphScopes)
		if err != nil || tok == "" {
			t.Fatalf("%s: silent token after sign-in: %q, %v", l.name, tok, err)
		}
		row.silent = a.Counts()
	})
	return row
}

// TestColdStart counts, per library and per endpoint, the HTTP requests
// for a first token (new client, empty cache; password grant, then device
// code) and for the silent call after it, with instance discovery off and
// at each library's default (on). All three talk to the same in-memory
// fake, which pretends to be https://login.microsoftonline.com (a known
// cloud). The table also shows how long the first token waited on the
// bubble's clock: for device code, the time until the first poll.
//
// entraauth's counts are asserted: the user realm lookup (password) or
// the device authorization request (device code), one token request and
// one key-set fetch (it verifies the ID token's signature, which MSAL Go
// and azidentity do not), no OIDC discovery document (the v2.0 endpoints
// are fixed templates), no instance discovery for a known cloud, and
// nothing at all for the silent call. The other libraries' counts are
// logged, not asserted: they are what they are.
func TestColdStart(t *testing.T) {
	want := map[string]map[fa.Endpoint]int{
		"password": {fa.EndpointUserRealm: 1, fa.EndpointToken: 1, fa.EndpointKeys: 1},
		"device":   {fa.EndpointDeviceCode: 1, fa.EndpointToken: 1, fa.EndpointKeys: 1},
	}
	var rows []coldRow
	for _, flow := range []string{"password", "device"} {
		for _, discovery := range []bool{false, true} {
			for _, l := range libs {
				t.Run(fmt.Sprintf("%s/%s/discovery=%v", flow, l.name, discovery), func(t *testing.T) {
					row := coldStart(t, l, flow, discovery)
					rows = append(rows, row)
					if l.name != "entraauth" {
						return
					}
					if !maps.Equal(row.first, want[flow]) {
						t.Errorf("first token sent %s, want %s", fmtCounts(row.first), fmtCounts(want[flow]))
					}
					if n := total(row.silent); n != 0 {
						t.Errorf("silent call after sign-in sent %d requests (%s), want 0", n, fmtCounts(row.silent))
					}
				})
			}
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
	fmt.Fprintf(&b, "%-8s %-11s %-9s %5s  %-44s %-8s %s\n",
		"flow", "library", "discovery", "total", "first token (requests per endpoint)", "waited", "silent call after")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-8s %-11s %-9v %5d  %-44s %-8v %s\n",
			r.flow, r.lib, r.discovery, total(r.first), fmtCounts(r.first), r.wait, fmtCounts(r.silent))
	}
	return b.String()
}
