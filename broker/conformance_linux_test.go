//go:build linux

package broker_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/conformance"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/entraauth/entraauth/oauth"
	"github.com/godbus/dbus/v5"
)

// TestConformance runs the conformance kit against the broker credential
// on Linux: a real private dbus-daemon, the fake broker serving the
// broker's D-Bus interface on it, and each check's in-memory fake
// authority behind the fake broker.
//
// The daemon and the fake broker's bus connection live outside the
// checks' testing/synctest bubbles: a goroutine reading a socket is never
// durably blocked, so inside a bubble it would stop the clock for good,
// and nothing outside a bubble may wake a goroutine waiting inside one.
// The fake broker therefore reaches the check's authority from outside
// the bubble, on a clock that follows the bubble's: each call of the
// credential publishes the bubble's time, and the fake broker and the
// authority date what they mint from it. The credential's own bus
// connection is open only while a call is in flight, so the bubble's
// clock moves between calls.
//
// It runs against both modes of the fake broker: Microsoft's broker and
// himmelblau's (TestConformance/himmelblau).
func TestConformance(t *testing.T) {
	t.Run("microsoft", func(t *testing.T) {
		runConformance(t, fakebroker.Microsoft, "broker (Linux D-Bus)", brokerExpectedFailures)
	})
	t.Run("himmelblau", func(t *testing.T) {
		runConformance(t, fakebroker.Himmelblau, "broker (himmelblau)", himmelblauExpectedFailures)
	})
}

func runConformance(t *testing.T, mode fakebroker.Mode, name string, expected map[string]string) {
	bus := startBus(t, nil)
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	clk := &bubbleClock{}
	rt := &authorityOnClock{clk: clk}
	fb := fakebroker.New(&fakebroker.Options{
		Mode: mode,
		Now:  clk.now,
		// A real-time bound: a request the authority holds ends here,
		// since the bubble's clock cannot move while a call is in flight.
		HTTPClient: &http.Client{Transport: rt, Timeout: 10 * time.Second},
	})
	t.Cleanup(fb.Close)
	if err := fb.Serve(conn); err != nil {
		t.Fatal(err)
	}
	conformance.TestCredential(t, conformance.Config{
		Name: name,
		New: func(t testing.TB, env *conformance.Env) conformance.Subject {
			if rt.use(env) {
				// A fresh check: the broker forgets the last one's accounts
				// (their refresh tokens are another authority's).
				if err := fb.RestoreState([]byte(`{"version":1,"accounts":[]}`)); err != nil {
					t.Fatal(err)
				}
			}
			co := env.Options
			co.Cache = nil // the broker keeps the tokens; New refuses a cache
			c, err := broker.New("", &broker.Options{ClientOptions: co, DBusAddress: bus.Address})
			if err != nil {
				t.Fatalf("broker.New: %v", err)
			}
			t.Cleanup(func() { c.Close() })
			s := &publishing{c: c, clk: clk}
			return conformance.Subject{Credential: s, Authenticate: s.Authenticate}
		},
		NotApplicable:    brokerNotApplicable,
		ExpectedFailures: expected,
	})
	// The checks went through the broker, both ways.
	if len(fb.CallsTo("acquireTokenInteractively")) == 0 || len(fb.CallsTo("acquireTokenSilently")) == 0 {
		t.Errorf("the fake broker saw %d calls, without both an interactive and a silent one", len(fb.Calls()))
	}
}

// behindDBus is why the kit's waits behind a held request cannot be made:
// the request waits behind the credential's D-Bus call, whose socket read
// keeps the bubble's clock still until the call ends (here only at the
// harness's real-time bound, which would make a pass meaningless).
const behindDBus = "the wait is behind an in-flight D-Bus call, whose socket read keeps the synctest clock still; " +
	"deadlines and cancellation over a real bus are checked in real time by broker's "

var brokerNotApplicable = map[string]string{
	"cancel-during-request":           behindDBus + "TestCancelEndsWaitOnOurSide and TestHungBrokerMeetsDeadline",
	"cancel-waiting-for-other-caller": behindDBus + "TestCancelEndsWaitOnOurSide",
	"fault-slower-than-deadline":      behindDBus + "TestHungBrokerMeetsDeadline",
	"fault-never-answers":             behindDBus + "TestDefaultDeadline",
	"new-process-silent": "the broker keeps the tokens, not the application's storage: a new process asks the broker, " +
		"which answers without a prompt (auto's cross-process matrix covers the broker's silent step)",
}

// brokerKeepsRT is why the kit sees no new sign-in after a refused ID
// token: the credential refuses the answer and caches nothing, but the
// broker (a separate program) kept the refresh token of that sign-in, so
// the next call is answered silently by the broker.
const brokerKeepsRT = "the credential refuses the token and caches nothing, but the broker kept the sign-in's refresh token " +
	"(the credential cannot make it forget), so the next call is a silent broker call, not a new sign-in"

// himmelblauRedeems is why the kit counts one token request more against
// himmelblau's broker: it signs the session's user in once (the session's
// login; the fake does it on its first call) and answers every token call
// by redeeming that sign-in's refresh token
// (https://github.com/himmelblau-idm/himmelblau src/daemon/src/broker.rs).
const himmelblauRedeems = "himmelblau signs the session's user in once and answers every token call by redeeming that sign-in's refresh token, " +
	"so a first token costs the sign-in plus a redeem: one token request more than the kit counts"

// himmelblauAsksAgain is why a faulty authority answer does not reach the
// caller through himmelblau: it answers every failure with status 0
// ("Failed to authenticate user"), so the credential cannot tell the
// authority's fault from a silent call that needs interaction, and asks
// again interactively, which redeems the session's refresh token again at
// once (the kit's fault is served once).
const himmelblauAsksAgain = "himmelblau answers every failure with status 0 (\"Failed to authenticate user\"), so the credential cannot " +
	"tell the authority's fault from a silent call needing interaction and asks again interactively, which redeems again at once"

// himmelblauExpectedFailures: the Microsoft mode's, for the same causes,
// and himmelblau's own.
var himmelblauExpectedFailures = func() map[string]string {
	m := map[string]string{
		"refresh-token-rotation":            himmelblauRedeems,
		"refresh-without-new-refresh-token": himmelblauRedeems,
		"single-flight":                     himmelblauRedeems,
		"disable-automatic-authentication": "himmelblau's session user is always signed in (getAccounts lists it), so a new credential " +
			"with no record picks the one account the broker lists and is answered silently, as a new process should be; " +
			"the kit's fresh credential expects a sign-in to be required",
		"fault-429-retry-after": himmelblauAsksAgain,
		"fault-truncated-json":  himmelblauAsksAgain,
		"fault-html-page":       himmelblauAsksAgain,
		"fault-oversized-body":  himmelblauAsksAgain,
		"aadsts-error-intact": "himmelblau relays no authority error: when the session's user cannot sign in, getAccounts lists nobody " +
			"and acquireTokenInteractively fails on the bus (\"Missing account username in request\"); its token errors say " +
			"\"Failed to authenticate user\" with status 0",
	}
	for k, v := range brokerExpectedFailures {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}()

var brokerExpectedFailures = map[string]string{
	"refresh-at-refresh-on": "the broker's token answer carries expiresOn but no refresh_in, so the credential has no refresh_on to act on",
	"aadsts-error-intact": "the broker relays the authority's error code and description (AADSTS number included) " +
		"but not its HTTP status, trace ID or correlation ID as fields",
	"refresh-different-sub": "a silent broker answer is checked for its client_info account only: " +
		"the credential does not compare the new ID token's sub with the signed-in account's (OIDC Core 12.2)",
	"id-token-bad-signature":            brokerKeepsRT,
	"id-token-alg-none":                 brokerKeepsRT,
	"id-token-hs256-public-key":         brokerKeepsRT,
	"id-token-unknown-kid":              brokerKeepsRT,
	"id-token-missing-kid-several-keys": brokerKeepsRT,
	"id-token-wrong-issuer":             brokerKeepsRT,
	"id-token-wrong-audience":           brokerKeepsRT,
	"id-token-expired":                  brokerKeepsRT,
	"id-token-crit-header":              brokerKeepsRT,
	"id-token-embedded-key":             brokerKeepsRT,
	"id-token-expired-bad-signature":    brokerKeepsRT,
	"id-token-iat-future":               brokerKeepsRT,
	"id-token-missing-sub":              brokerKeepsRT,
}

// bubbleClock is the check's bubble time as last published from inside
// the bubble, advanced by the real time elapsed since it was first read
// outside.
type bubbleClock struct {
	mu        sync.Mutex
	published time.Time // the bubble's time at the last publish
	seen      bool      // published was read outside since
	base      time.Time // the published time when first read
	realBase  time.Time // the real time then
}

// publish records the bubble's time; called inside the bubble.
func (c *bubbleClock) publish() {
	c.mu.Lock()
	c.published, c.seen = time.Now(), false
	c.mu.Unlock()
}

// now is the bubble's time, read outside the bubble.
func (c *bubbleClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.seen {
		c.base, c.realBase, c.seen = c.published, time.Now(), true
	}
	return c.base.Add(time.Since(c.realBase))
}

// publishing is the credential under test; each call first publishes the
// bubble's time. The engine's background refresh starts inside such a
// call, so it is dated too.
type publishing struct {
	c   *broker.Credential
	clk *bubbleClock
}

func (p *publishing) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	p.clk.publish()
	return p.c.GetToken(ctx, opts)
}

func (p *publishing) Authenticate(ctx context.Context, opts oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	p.clk.publish()
	return p.c.Authenticate(ctx, opts)
}

// authorityOnClock is the fake broker's HTTP transport: the running
// check's in-memory authority, its clock set to the bubble's before each
// request.
type authorityOnClock struct {
	clk *bubbleClock
	mu  sync.Mutex
	fa  *fakeauthority.Authority
}

// use makes env's authority current, reporting true on the first call
// for it (a check may build several credentials on copies of one Env).
func (a *authorityOnClock) use(env *conformance.Env) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fa == env.Authority {
		return false
	}
	a.fa = env.Authority
	return true
}

func (a *authorityOnClock) RoundTrip(req *http.Request) (*http.Response, error) {
	a.mu.Lock()
	fa := a.fa
	if fa != nil {
		fa.Advance(a.clk.now().Sub(fa.Now()))
	}
	a.mu.Unlock()
	if fa == nil {
		return nil, errors.New("no check is running")
	}
	return fa.Client().Transport.RoundTrip(req)
}
