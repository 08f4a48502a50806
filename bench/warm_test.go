package bench_test

import (
	"context"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// warmClient signs l in on a new in-memory fake, takes one silent token
// (so every library has done whatever it does on its first silent call,
// such as MSAL's instance metadata), and fails the benchmark afterwards if
// the timed loop sent any request: a warm call must be served from the
// cache.
func warmClient(b *testing.B, l lib) tokenClient {
	b.Helper()
	a := fa.New(nil)
	c := l.newClient(b, a, false)
	ctx := context.Background()
	if err := c.signIn(ctx); err != nil {
		b.Fatalf("%s: sign-in: %v", l.name, err)
	}
	if tok, err := c.token(ctx, graphScopes); err != nil || tok == "" {
		b.Fatalf("%s: first silent token: %q, %v", l.name, tok, err)
	}
	a.ResetLog()
	b.Cleanup(func() {
		if n := len(a.Requests()); n != 0 {
			b.Errorf("%s: the warm loop sent %d requests (%s)", l.name, n, fmtCounts(a.Counts()))
		}
	})
	return c
}

// BenchmarkWarmSilent is one silent acquisition with a valid cached
// access token (one account, one token), the call every API request of an
// application makes: password.Credential.GetToken,
// public.Client.AcquireTokenSilent with the account, and
// azidentity.UsernamePasswordCredential.GetToken.
func BenchmarkWarmSilent(b *testing.B) {
	for _, l := range libs {
		b.Run("lib="+l.name, func(b *testing.B) {
			c := warmClient(b, l)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.token(ctx, graphScopes); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWarmSilentParallel is the same call from GOMAXPROCS goroutines
// on one client (b.RunParallel; ns/op is wall time per call across all of
// them). A library whose callers serialize on a credential-wide lock is no
// faster here than in BenchmarkWarmSilent, or slower.
func BenchmarkWarmSilentParallel(b *testing.B) {
	for _, l := range libs {
		b.Run("lib="+l.name, func(b *testing.B) {
			c := warmClient(b, l)
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) { callLoop(b, pb, c, ctx) })
		})
	}
}

// callLoop is one RunParallel goroutine's loop of warm calls.
func callLoop(b *testing.B, pb *testing.PB, c tokenClient, ctx context.Context) {
	for pb.Next() {
		if _, err := c.token(ctx, graphScopes); err != nil {
			b.Error(err)
			return
		}
	}
}
