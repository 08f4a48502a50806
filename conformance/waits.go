package conformance

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// waitChecks are the error and cancellation checks: every wait ends with
// its context, and the authority's errors reach the caller intact.
func waitChecks() []check {
	return []check{
		{name: "aadsts-error-intact", desc: "an AADSTS error reaches the caller as *oauth.Error with its code, AADSTS number and correlation ID; one request, nothing cached", run: checkAADSTS},
		{name: "callback-no-open-redirect", desc: "a redirect carrying next= and redirect= to another site is not followed by the app's listener", run: checkOpenRedirect},
		{name: "cancel-waiting-for-user", desc: "cancelling the context ends the wait for the user at once, with the context's error and no later request", run: checkCancelUser},
		{name: "cancel-during-request", desc: "cancelling the context ends a token request the authority holds, at once", run: checkCancelRequest},
		{name: "cancel-waiting-for-other-caller", desc: "a caller waiting on another caller's sign-in leaves at once when its own context ends; the other goes on", run: checkCancelFollower},
	}
}

// returnsAtOnce waits for r and fails unless it returned within a second
// (of the bubble's clock) of from, with the context's error.
func (k *kit) returnsAtOnce(r <-chan result, from time.Time, what string) {
	k.Helper()
	got := <-r
	if d := got.at.Sub(from); d > time.Second {
		k.Errorf("%s: GetToken returned %v after the context ended, want at once", what, d)
	}
	if !isCtxErr(got.err) {
		k.Errorf("%s: GetToken = %v, want the context's error", what, got.err)
	}
}

func checkAADSTS(k *kit) {
	const code = 7000218 // public client flows are off for this app
	k.fa().InjectFault(fakeauthority.EndpointToken, fakeauthority.AADSTSError(code))
	signIns := k.signIns()
	_, err := k.get(context.Background(), graph)
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		k.Fatalf("GetToken = %v, want *oauth.Error", err)
	}
	if !oe.HasAADSTS(code) || !strings.HasPrefix(oe.Description, "AADSTS7000218") || oe.Code == "" ||
		oe.CorrelationID == "" || oe.TraceID == "" || oe.StatusCode == 0 {
		k.Errorf("error fields lost: %+v", *oe)
	}
	if got := k.signIns() - signIns; got != 1 {
		k.Errorf("%d token requests for one refusal, want 1 (no automatic retry)", got)
	}
	k.mustGet(graph)
	if got := k.signIns() - signIns; got != 2 {
		k.Errorf("after the refusal, GetToken made %d sign-ins in all, want 2: something was cached from the refusal", got)
	}
}

func checkCancelUser(k *kit) {
	if !k.cfg.Interactive {
		k.notApplicable("cancel-waiting-for-user", "no user step: the password grant waits only for the token request")
	}
	k.env.walkAway(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := k.goGet(ctx, graph)
	k.waitAsked(1, r)
	k.whileUserAway(32500 * time.Millisecond) // the credential waits (off any poll's tick)
	select {
	case got := <-r:
		k.Fatalf("GetToken returned (%v) while the user had not signed in", got.err)
	default:
	}
	cancel()
	k.returnsAtOnce(r, time.Now(), "cancelled while waiting for the user")
	settle()
	n := k.requests()
	time.Sleep(10 * time.Minute)
	k.noRequestsSince(n, "after the cancelled sign-in")
}

// whileUserAway sleeps d while a sign-in waits for the user, unless the
// flow waits on a socket (then the clock cannot move: see Config.Listens)
// and the check goes on at once.
func (k *kit) whileUserAway(d time.Duration) {
	if !k.cfg.Listens {
		time.Sleep(d)
	}
}

// holdTokenRequests has the authority hold every token request for d.
func (k *kit) holdTokenRequests(d time.Duration) {
	f := fakeauthority.Delay(d)
	f.Times = -1
	k.fa().InjectFault(fakeauthority.EndpointToken, f)
}

func checkCancelRequest(k *kit) {
	k.holdTokenRequests(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := k.goGet(ctx, graph)
	time.Sleep(30 * time.Second) // a device code's first poll comes after its interval
	if k.fa().Count(fakeauthority.EndpointToken) == 0 {
		k.Fatalf("no token request reached the authority")
	}
	cancel()
	k.returnsAtOnce(r, time.Now(), "cancelled during a token request")
}

func checkCancelFollower(k *kit) {
	k.env.walkAway(true)
	if !k.cfg.Interactive { // the password grant waits on its token request
		k.holdTokenRequests(time.Hour)
	}
	lctx, lcancel := context.WithCancel(context.Background())
	defer lcancel()
	leader := k.goGet(lctx, graph)
	if k.cfg.Interactive {
		k.waitAsked(1, leader)
	}
	k.whileUserAway(time.Second)
	fctx, fcancel := context.WithCancel(context.Background())
	follower := k.goGet(fctx, graph)
	k.whileUserAway(10 * time.Second)
	fcancel()
	k.returnsAtOnce(follower, time.Now(), "the cancelled follower")
	select {
	case got := <-leader:
		k.Fatalf("the leader returned (%v) when only the follower was cancelled", got.err)
	default:
	}
	if got := k.env.Asked(); k.cfg.Interactive && got != 1 {
		k.Errorf("the user was asked %d times, want 1", got)
	}
	lcancel()
	k.returnsAtOnce(leader, time.Now(), "the cancelled leader")
}

func checkOpenRedirect(k *kit) {
	if !k.cfg.Listens {
		k.notApplicable("callback-no-open-redirect", "no redirect URI of its own: nothing to redirect from")
	}
	const evil = "https://evil.example/phish"
	k.env.u.mu.Lock()
	k.env.u.extra = url.Values{"next": {evil}, "redirect": {evil}, "return_to": {evil}}
	k.env.u.mu.Unlock()
	k.mustGet(graph)
	k.env.u.mu.Lock()
	defer k.env.u.mu.Unlock()
	if len(k.env.u.deliveries) == 0 {
		k.Fatalf("the browser delivered nothing")
	}
	for _, d := range k.env.u.deliveries {
		if strings.Contains(d.location, "evil.example") {
			k.Errorf("the listener redirected the browser to %q (HTTP %d)", d.location, d.status)
		}
	}
}
