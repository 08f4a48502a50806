package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// Config describes the credential under test.
type Config struct {
	// Name names the credential in test names and in the report's column,
	// for example "device code".
	Name string
	// New builds the credential against env.Authority with env.Options.
	// It is called inside the check's testing/synctest bubble, once or
	// more per check (a check may build a second credential sharing the
	// first one's cache).
	New Factory
	// Interactive is true for a flow with a user step (device code,
	// browser): the kit then checks that the step is not run when it must
	// not be, and cancels the wait for the user.
	Interactive bool
	// Listens is true for a flow whose user step waits on a real socket
	// (the loopback listener). A goroutine blocked on the network is not
	// durably blocked, so the bubble's clock cannot advance while the
	// step waits: the checks then do not sleep during that wait.
	Listens bool
	// ExpectedFailures maps a check's name to the reason the credential is
	// known to fail it. Such a check still runs; its failure is reported
	// as expected (in the test log and the report), and its passing is an
	// error, so the list cannot go stale.
	ExpectedFailures map[string]string
	// NotApplicable maps a check's name to the reason it cannot apply to
	// the credential (for example a wait the check cannot make while the
	// credential's call is on a real socket). Such a check does not run;
	// it is reported as n/a with the reason, never silently skipped.
	NotApplicable map[string]string
	// CIAM runs every check against a Microsoft Entra External ID (CIAM)
	// authority: the path-less https://contoso.ciamlogin.com (tenant
	// contoso.onmicrosoft.com, the fake's default tenant), reached
	// through the fake's in-memory transport.
	CIAM bool
}

// CIAM returns cfg set to run against a CIAM authority ([Config].CIAM),
// its Name marked " (CIAM)" so that its results stand apart in the report.
func CIAM(cfg Config) Config {
	cfg.Name += " (CIAM)"
	cfg.CIAM = true
	return cfg
}

// Factory builds the credential under test for env.
type Factory func(t testing.TB, env *Env) Subject

// Subject is a credential under test.
type Subject struct {
	// Credential is the credential; required.
	Credential oauth.Credential
	// Authenticate is the credential's explicit sign-in; nil when it has
	// none (the Authenticate check then fails).
	Authenticate func(ctx context.Context, opts oauth.TokenOptions) (oauth.AuthenticationRecord, error)
}

// Env is what a check gives the factory: a fake authority (in memory),
// the options to build the credential with, and the user's part of the
// sign-in.
type Env struct {
	// Authority is the fake authority, with AutoApprove set so the browser
	// stand-in is signed in without a page.
	Authority *fakeauthority.Authority
	// Options are the client options: AuthorityHost, TenantID, HTTPClient
	// (the authority's in-memory client) and a private Cache, plus what the
	// check sets (DisableAutomaticAuthentication, AdditionallyAllowedTenants,
	// AuthenticationRecord).
	Options oauth.ClientOptions
	// Username and Password are the user's, for the password grant.
	Username, Password string

	u *user // shared by copies of the Env
}

// user is the person at the keyboard.
type user struct {
	mu     sync.Mutex
	never  bool // the user never completes the sign-in
	asked  int  // how often the user was asked to sign in
	askedC chan struct{}
	// extra are parameters the browser adds to its delivery; deliveries
	// are the listener's answers.
	extra      url.Values
	deliveries []delivery
}

// DeviceCodeShown is the user's part of a device code sign-in: the
// factory's prompt calls it with the user code. The user approves the
// code at once, unless the check has the user walk away.
func (e *Env) DeviceCodeShown(_ context.Context, userCode string) error {
	if !e.ask() {
		return nil
	}
	return e.Authority.ApproveDevice(userCode, e.Username)
}

// BrowserOpened is the user's part of a browser sign-in: the factory's
// browser hook calls it with the authorize URL, and the stand-in browser
// signs in and delivers the answer to the redirect URI, unless the check
// has the user walk away.
func (e *Env) BrowserOpened(ctx context.Context, authorizeURL string) error {
	if !e.ask() {
		return nil
	}
	e.u.mu.Lock()
	extra := e.u.extra
	e.u.mu.Unlock()
	d, err := standInBrowser(ctx, e.Authority.Client(), authorizeURL, extra)
	e.u.mu.Lock()
	e.u.deliveries = append(e.u.deliveries, d)
	e.u.mu.Unlock()
	return err
}

// ask counts a sign-in prompt; false when the user walks away.
func (e *Env) ask() bool {
	e.u.mu.Lock()
	defer e.u.mu.Unlock()
	e.u.asked++
	select {
	case e.u.askedC <- struct{}{}:
	default:
	}
	return !e.u.never
}

// Asked returns how often the user was asked to sign in.
func (e *Env) Asked() int {
	e.u.mu.Lock()
	defer e.u.mu.Unlock()
	return e.u.asked
}

// walkAway makes the user ignore every later sign-in prompt (true) or
// complete them (false).
func (e *Env) walkAway(never bool) {
	e.u.mu.Lock()
	e.u.never = never
	e.u.mu.Unlock()
}

// check is one conformance check.
type check struct {
	name, desc string
	// fake tunes the fake authority; nil means the defaults.
	fake *fakeauthority.Options
	run  func(k *kit)
}

// kit is what a check's body works with.
type kit struct {
	testing.TB
	cfg  Config
	env  *Env
	sub  Subject
	base context.Context // ends with the check: goroutines it started stop
}

// newEnv makes the fake authority and options for one run of a check.
func newEnv(fo *fakeauthority.Options, ciam bool) *Env {
	o := fakeauthority.Options{}
	if fo != nil {
		o = *fo
	}
	o.AutoApprove = true
	if o.AccessTokenLifetime == 0 {
		// The checks sleep past a one-hour token; the fake otherwise
		// varies lifetimes between 60 and 90 minutes, as Entra does.
		o.AccessTokenLifetime = time.Hour
	}
	fa := fakeauthority.New(&o)
	env := &Env{
		Authority: fa,
		Options: oauth.ClientOptions{
			AuthorityHost: fa.URL(), TenantID: fakeauthority.DefaultTenantID,
			HTTPClient: fa.Client(), Cache: cache.New(nil, nil),
		},
		Username: fakeauthority.DefaultUsername, Password: fakeauthority.DefaultPassword,
		u: &user{askedC: make(chan struct{}, 1)},
	}
	if ciam {
		env.Options.AuthorityHost, env.Options.TenantID = "https://"+fakeauthority.CIAMHost+"/", ""
	}
	return env
}

// build calls the factory with env (a copy of its options may differ).
func (k *kit) build(env *Env) Subject {
	k.Helper()
	s := k.cfg.New(k.TB, env)
	if s.Credential == nil {
		k.Fatalf("the factory returned no credential")
	}
	return s
}

// TestCredential runs every conformance check against the credential
// cfg.New builds, each as a subtest inside a testing/synctest bubble
// against a fresh in-memory fake authority. Each subtest logs one result
// line that the report generator reads (see the package documentation).
func TestCredential(t *testing.T, cfg Config) {
	t.Helper()
	if cfg.New == nil {
		t.Fatal("conformance: Config.New is nil")
	}
	for name := range cfg.ExpectedFailures {
		if findCheck(name) == nil {
			t.Errorf("conformance: ExpectedFailures names %q, which is not a check", name)
		}
	}
	for name := range cfg.NotApplicable {
		if findCheck(name) == nil {
			t.Errorf("conformance: NotApplicable names %q, which is not a check", name)
		}
		if _, ok := cfg.ExpectedFailures[name]; ok {
			t.Errorf("conformance: %q is both an expected failure and not applicable", name)
		}
	}
	for _, c := range checks() {
		t.Run(c.name, func(t *testing.T) {
			if reason, ok := cfg.NotApplicable[c.name]; ok {
				logResult(t, cfg.Name, c, "n/a", reason)
				t.Skip("does not apply: " + reason)
			}
			reason, expected := cfg.ExpectedFailures[c.name]
			skipped := false
			defer func() {
				if skipped {
					t.Skip("does not apply (see the result line)")
				}
			}()
			synctest.Test(t, func(t *testing.T) {
				defer func() { skipped = t.Skipped() }()
				if expected {
					runExpectedFailure(t, cfg, c, reason)
					return
				}
				runCheck(t, cfg, c)
				logResult(t, cfg.Name, c, map[bool]string{false: "pass", true: "fail"}[t.Failed()], "")
			})
		})
	}
}

// runCheck runs c's body with t.
func runCheck(t testing.TB, cfg Config, c check) {
	env := newEnv(c.fake, cfg.CIAM)
	base, cancel := context.WithCancel(context.Background())
	defer cancel() // also when the check fails fatally, so the bubble can end
	k := &kit{TB: t, cfg: cfg, env: env, base: base}
	k.sub = k.build(env)
	c.run(k)
}

// runExpectedFailure runs c with a recorder in place of t: a failure is
// logged as expected, a pass fails the test (the expectation is stale).
func runExpectedFailure(t *testing.T, cfg Config, c check, reason string) {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		runCheck(r, cfg, c)
	}()
	<-done
	if r.failed() {
		t.Logf("expected failure (%s): %s", reason, r.messages())
		logResult(t, cfg.Name, c, "xfail", reason)
		return
	}
	logResult(t, cfg.Name, c, "xpass", reason)
	t.Errorf("conformance: %s passes %s, which is listed as an expected failure (%s): remove it from ExpectedFailures",
		cfg.Name, c.name, reason)
}

// ResultPrefix starts the one log line each check writes, followed by a
// JSON [Result]. The report generator looks for it in go test -json
// output.
const ResultPrefix = "conformance-result: "

// Result is a check's outcome for one credential, as logged.
type Result struct {
	Credential  string `json:"credential"`
	Check       string `json:"check"`
	Description string `json:"description"`
	// Status is "pass", "fail", "xfail" (an expected failure that did
	// fail) or "xpass" (an expected failure that passed: a test failure).
	Status string `json:"status"`
	// Reason is why the failure is expected.
	Reason string `json:"reason,omitempty"`
}

func logResult(t testing.TB, cred string, c check, status, reason string) {
	b, _ := json.Marshal(Result{Credential: cred, Check: c.name, Description: c.desc, Status: status, Reason: reason})
	t.Log(ResultPrefix + string(b))
}

// recorder is a testing.TB that records failures instead of failing the test.
// Fatalf ends the check's goroutine, as testing does.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }
func (r *recorder) Fail()             { r.Errorf("failed") }
func (r *recorder) FailNow()          { r.Fatalf("failed") }

func (r *recorder) Failed() bool { return r.failed() }

func (r *recorder) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs) > 0
}

func (r *recorder) messages() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.errs)
}
