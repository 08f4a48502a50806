package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// rtts are the round-trip times BenchmarkColdFirstToken injects.
var rtts = []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond}

// latency is an http.RoundTripper that holds every request for one
// round-trip time before the fake answers it, as a network between the
// client and Entra would (the fake itself answers in microseconds to
// milliseconds). Requests in flight at once wait in parallel, so a
// library that sends two requests concurrently pays one round trip for
// both, and one that sends them in sequence pays two.
type latency struct {
	next http.RoundTripper
	rtt  time.Duration
}

func (l latency) RoundTrip(r *http.Request) (*http.Response, error) {
	if l.rtt > 0 {
		t := time.NewTimer(l.rtt)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return nil, r.Context().Err()
		}
	}
	return l.next.RoundTrip(r)
}

// rttByAuthority holds the round-trip time a benchmark gave a fake; the
// libraries' constructors reach the fake through httpClient, which adds
// it. Constructors elsewhere keep using a.Client() directly (no latency).
var rttByAuthority sync.Map // *fa.Authority -> time.Duration

// httpClient is a.Client(), behind the round-trip time set for a.
func httpClient(a *fa.Authority) *http.Client {
	hc := a.Client()
	v, ok := rttByAuthority.Load(a)
	if !ok || v.(time.Duration) == 0 {
		return hc
	}
	return &http.Client{Transport: latency{next: hc.Transport, rtt: v.(time.Duration)}, CheckRedirect: hc.CheckRedirect}
}

// BenchmarkColdFirstToken is the first token of a new client (empty
// cache, password grant, instance discovery on as each library ships) at several round-trip times: one op is a new
// client of the library plus its first GetToken, measured on the wall
// clock. The fake is made once per sub-benchmark, outside the timer.
// Each library verifies what it verifies (entraauth checks the ID
// token's signature, so its key-set fetch is part of the op); the
// requests each sends are counted once per sub-benchmark and reported as
// req/op.
func BenchmarkColdFirstToken(b *testing.B) {
	for _, rtt := range rtts {
		for _, l := range libs {
			b.Run(fmt.Sprintf("rtt=%dms/lib=%s", rtt.Milliseconds(), l.name), func(b *testing.B) {
				a := fa.New(nil)
				rttByAuthority.Store(a, rtt)
				b.Cleanup(func() { rttByAuthority.Delete(a) })
				ctx := context.Background()
				a.ResetLog()
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					c := l.newClient(b, a, true)
					if err := c.signIn(ctx); err != nil {
						b.Fatalf("%s: first token: %v", l.name, err)
					}
					n++
				}
				b.ReportMetric(float64(len(a.Requests()))/float64(n), "req/op")
			})
		}
	}
}
