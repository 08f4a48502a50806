package bench_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"strings"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
)

// goroutineCounts are the numbers of concurrent callers in
// BenchmarkWarmGoroutines (rounded up to a multiple of GOMAXPROCS).
var goroutineCounts = []int{2, 4, 8, 16, 64}

// BenchmarkWarmGoroutines is BenchmarkWarmSilentParallel with more
// callers than cores (b.SetParallelism), for the throughput-against-
// callers plot: 1e9 / ns/op is calls per second across all goroutines.
func BenchmarkWarmGoroutines(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	for _, g := range goroutineCounts {
		p := max(1, (g+procs-1)/procs)
		for _, l := range libs {
			b.Run(fmt.Sprintf("g=%d/lib=%s", p*procs, l.name), func(b *testing.B) {
				c := warmClient(b, l)
				ctx := context.Background()
				b.SetParallelism(p)
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) { callLoop(b, pb, c, ctx) })
			})
		}
	}
}

// claimsChallenge is a claims request, as a resource's WWW-Authenticate
// challenge carries one: every library must then skip its cached access
// token and redeem the refresh token.
const claimsChallenge = `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`

// BenchmarkRefresh is one refresh-token redemption forced by a claims
// challenge, the library's whole cost plus the fake's. The row lib=fake
// is the fake alone answering the same redemption posted by hand, so a
// library's own overhead is its row minus that one.
func BenchmarkRefresh(b *testing.B) {
	for _, l := range libs {
		b.Run("lib="+l.name, func(b *testing.B) {
			a := fa.New(nil)
			c := l.newClient(b, a, false)
			ctx := context.Background()
			if err := c.signIn(ctx); err != nil {
				b.Fatal(err)
			}
			claimed, ok := c.(interface {
				tokenWithClaims(context.Context, []string, string) (string, error)
			})
			if !ok {
				b.Skipf("%s: no claims option in this adapter", l.name)
			}
			a.ResetLog()
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if _, err := claimed.tokenWithClaims(ctx, graphScopes, claimsChallenge); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.StopTimer()
			if got := a.Counts()[fa.EndpointToken]; got != n {
				b.Fatalf("%s: %d token requests for %d calls: the claims did not force one redemption each", l.name, got, n)
			}
		})
	}
	b.Run("lib=fake", func(b *testing.B) {
		a := fa.New(nil)
		hc := a.Client()
		tokenURL := a.AuthorityURL(fa.DefaultTenantID) + "/oauth2/v2.0/token"
		post := func(form url.Values) map[string]any {
			resp, err := hc.PostForm(tokenURL, form)
			if err != nil {
				b.Fatal(err)
			}
			defer resp.Body.Close()
			var m map[string]any
			if err := decodeJSON(resp.Body, &m); err != nil || resp.StatusCode != 200 {
				b.Fatalf("fake answered %d: %v", resp.StatusCode, err)
			}
			return m
		}
		scope := strings.Join(append([]string{}, graphScopes[0], "openid", "profile", "offline_access"), " ")
		first := post(url.Values{"grant_type": {"password"}, "client_id": {fa.AzureCLIClientID}, "username": {fa.DefaultUsername},
			"password": {fa.DefaultPassword}, "scope": {scope}, "client_info": {"1"}})
		rt, _ := first["refresh_token"].(string)
		b.ReportAllocs()
		for b.Loop() {
			m := post(url.Values{"grant_type": {"refresh_token"}, "client_id": {fa.AzureCLIClientID}, "refresh_token": {rt},
				"scope": {scope}, "client_info": {"1"}, "claims": {claimsChallenge}})
			if s, _ := m["refresh_token"].(string); s != "" {
				rt = s
			}
		}
	})
}

// BenchmarkVerifyIDTokenSignature is the check a refresh adds over the
// fake's answer: one ID token the fake issued, verified against the
// fake's key set (engine.VerifyJWS: parse, choose the key by kid, build
// it, RS256, the key's issuer binding). It is the "signature check" of
// the refresh target in BENCHMARKS.md.
func BenchmarkVerifyIDTokenSignature(b *testing.B) {
	b.Run("lib=entraauth", func(b *testing.B) {
		a := fa.New(nil)
		hc := a.Client()
		base := a.AuthorityURL(fa.DefaultTenantID)
		resp, err := hc.PostForm(base+"/oauth2/v2.0/token", url.Values{"grant_type": {"password"}, "client_id": {fa.AzureCLIClientID},
			"username": {fa.DefaultUsername}, "password": {fa.DefaultPassword}, "scope": {"openid profile offline_access"}, "client_info": {"1"}})
		if err != nil {
			b.Fatal(err)
		}
		var m map[string]any
		err = decodeJSON(resp.Body, &m)
		resp.Body.Close()
		idToken, _ := m["id_token"].(string)
		if err != nil || idToken == "" {
			b.Fatalf("no ID token: %v", err)
		}
		kr, err := hc.Get(base + "/discovery/v2.0/keys")
		if err != nil {
			b.Fatal(err)
		}
		jwks, err := io.ReadAll(io.LimitReader(kr.Body, 1<<20))
		kr.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := engine.VerifyJWS(idToken, jwks); err != nil {
				b.Fatal(err)
			}
		}
	})
}
