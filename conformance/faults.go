package conformance

import (
	"context"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// faultChecks script the token endpoint's misbehaviour during the first
// sign-in: nothing panics, nothing waits past its deadline, nothing from
// a failed exchange is cached or returned.
func faultChecks() []check {
	fault := func(name, desc string, f fakeauthority.Fault, mustFail bool) check {
		return check{name: name, desc: desc, run: func(k *kit) { k.faulted(f, mustFail) }}
	}
	return []check{
		fault("fault-5xx-then-success", "one HTTP 503, then success: a retry or a clean error, then a normal sign-in", fakeauthority.ServerError(503), false),
		{name: "fault-429-retry-after", desc: "HTTP 429 with Retry-After: 2: no retry before it, a clean error or success", run: checkThrottle},
		fault("fault-connection-reset", "the connection drops without an answer", fakeauthority.DropConnection(), false),
		fault("fault-truncated-json", "a 200 whose token JSON stops half way is an error; nothing of it is cached", fakeauthority.TruncatedJSON(), true),
		fault("fault-html-page", "an HTML page with HTTP 200 (a captive portal or proxy) is an error, not a token", fakeauthority.HTMLPage(200), true),
		fault("fault-oversized-body", "an 8 MiB token response is refused (bounded read), not cached", fakeauthority.OversizedBody(8<<20), true),
		{name: "fault-slower-than-deadline", desc: "a token response slower than the caller's 30 s deadline: DeadlineExceeded at the deadline", run: checkSlow},
		{name: "fault-never-answers", desc: "a server that never answers, under context.Background(): an error within 20 minutes (a device code's 15)", run: checkNeverAnswers},
	}
}

// faulted injects f for the next token request, signs in, and checks the
// outcome: an error when mustFail, and in any case no token of the failed
// exchange, then a normal sign-in.
func (k *kit) faulted(f fakeauthority.Fault, mustFail bool) {
	k.Helper()
	is := k.captureTokens(nil)
	k.fa().InjectFault(fakeauthority.EndpointToken, f)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tok, err := k.get(ctx, graph)
	if isCtxErr(err) {
		k.Fatalf("GetToken waited for its deadline: %v", err)
	}
	if mustFail && err == nil {
		k.Fatalf("GetToken succeeded on a faulty answer (token of %d bytes)", len(tok.Token))
	}
	if err == nil && is.index(tok.Token) < 0 {
		k.Errorf("GetToken returned a token the authority did not issue")
	}
	if err != nil {
		signIns := k.signIns()
		k.env.walkAway(false)
		tok = k.mustGet(graph)
		if k.signIns() == signIns {
			k.Errorf("after the failed exchange, GetToken made no new sign-in: something of it was cached")
		}
	}
	if is.index(tok.Token) < 0 {
		k.Errorf("the token served was not issued by the authority")
	}
}

func checkThrottle(k *kit) {
	k.fa().InjectFault(fakeauthority.EndpointToken, fakeauthority.Throttle(2*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	_, err := k.get(ctx, graph)
	if isCtxErr(err) {
		k.Fatalf("GetToken waited for its deadline: %v", err)
	}
	reqs := k.fa().RequestsTo(fakeauthority.EndpointToken)
	if len(reqs) >= 2 {
		if gap := reqs[1].Time.Sub(reqs[0].Time); gap < 2*time.Second {
			k.Errorf("retried %v after a 429 with Retry-After: 2", gap)
		}
	}
	if err != nil {
		k.mustGet(graph)
	}
}

func checkSlow(k *kit) {
	k.holdTokenRequests(2 * time.Minute)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := k.get(ctx, graph)
	if took := time.Since(start); took > 31*time.Second {
		k.Errorf("GetToken returned after %v, past its 30 s deadline", took)
	}
	if !isCtxErr(err) {
		k.Errorf("GetToken = %v, want the deadline's error", err)
	}
	k.fa().ClearFaults()
	signIns := k.signIns()
	k.mustGet(graph)
	if k.signIns() == signIns {
		k.Errorf("no new sign-in after the timed-out one")
	}
}

func checkNeverAnswers(k *kit) {
	k.holdTokenRequests(1000 * time.Hour)
	start := time.Now()
	r := k.goGet(context.Background(), graph)
	select {
	case got := <-r:
		if got.err == nil {
			k.Errorf("GetToken succeeded against a server that never answers")
		}
		if took := got.at.Sub(start); took > 20*time.Minute {
			k.Errorf("GetToken returned after %v", took)
		}
	case <-time.After(20 * time.Minute):
		k.Errorf("GetToken under context.Background() still waits after 20 minutes for a server that never answers")
		k.fa().ClearFaults()
		<-r // the bubble ends only when the call does
	}
}
