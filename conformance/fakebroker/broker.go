package fakebroker

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/godbus/dbus/v5"
)

// The broker's D-Bus names.
const (
	BusName    = "com.microsoft.identity.broker1"
	ObjectPath = "/com/microsoft/identity/broker1"
	Interface  = "com.microsoft.identity.Broker1"
)

// DefaultVersion is what getLinuxBrokerVersion answers by default.
const DefaultVersion = "2.0.1"

// Options configure a [Broker].
type Options struct {
	// AuthorityURL is the fake authority's base URL; "" means
	// https://login.microsoftonline.com (the in-memory fake answers there).
	AuthorityURL string
	// HTTPClient reaches the fake authority: Authority.Client() in
	// memory, Authority.TLSClient() on a socket. Required.
	HTTPClient *http.Client
	// Username and Password are who signs in in the broker's "window"
	// when the request has no login hint; "" means the fake's default
	// user and password.
	Username, Password string
	// ScopesAsList answers grantedScopes as a JSON array instead of the
	// space-separated string; real brokers have been seen to send both.
	ScopesAsList bool
	// Version is getLinuxBrokerVersion's answer; "" means DefaultVersion.
	Version string
	// Now is the broker's clock, from which it dates the expiresOn of
	// the tokens it relays; nil means time.Now. A test whose authority
	// keeps another clock (a testing/synctest bubble's) sets it to match.
	Now func() time.Time
	// Mode is the broker the fake plays: [Microsoft] (the zero value) or
	// [Himmelblau].
	Mode Mode
	// IgnoreLoginHint makes the "window" sign in as Username whatever
	// user the request names, as a user who picks another account in the
	// broker's window does.
	IgnoreLoginHint bool
}

// Mode is the broker a [Broker] plays.
type Mode int

const (
	// Microsoft is Microsoft's identity broker, as its public clients
	// and the answers quoted from it show.
	Microsoft Mode = iota
	// Himmelblau is himmelblau's broker, an open-source implementation
	// of the same interface (https://github.com/himmelblau-idm/himmelblau,
	// src/broker/src/main.rs and src/daemon/src/broker.rs): it serves the
	// session's one user, whom getAccounts lists from the start (signed
	// in with Username and Password on the first call, as the session's
	// login did); acquireTokenInteractively without account.username
	// fails with the D-Bus error "Missing account username in request";
	// a token request for another user is answered "Invalid request for
	// user!"; token answers carry no account and extendedExpiresOn in
	// seconds; errors carry status 0; removeAccount,
	// cancelInteractiveFlow and generateSignedHttpRequest answer "Not
	// implemented".
	Himmelblau
)

// Failure is how the next call of a method fails (see [Broker.FailNext]).
type Failure int

const (
	// InteractionRequired answers a token call with the real broker's
	// "MFA expired" shape: brokerTokenResponse.error with status 2,
	// UiRequiredException, AADSTS50078, invalid_grant and basic_action.
	InteractionRequired Failure = iota + 1
	// TopLevelError answers {"error":{"context","status":0,"subStatus":0}},
	// the shape himmelblau answers a failed call that is not a token
	// request with (identity_dbus_broker src/himmelblau_broker.rs).
	TopLevelError
	// DBusFailed answers the D-Bus error org.freedesktop.DBus.Error.Failed.
	DBusFailed
	// Malformed answers a string that is not JSON.
	Malformed
	// Hang answers nothing until cancelInteractiveFlow names the call's
	// correlation ID, or the broker is closed.
	Hang
	// Canceled answers a token call as broker 3.0.2 does when the user
	// closes its window: brokerTokenResponse.error with status 7, "The
	// InteractiveRequest was canceled by the user"
	// (https://github.com/theophile-wallez/teams-lite, SIGN-IN.md).
	Canceled
)

// Call is one method call the broker received.
type Call struct {
	Method, ProtocolVersion, CorrelationID, Request string
}

// Broker is the fake broker. It is safe for concurrent use.
type Broker struct {
	opts Options

	mu       sync.Mutex
	accounts []*account // in sign-in order
	failures map[string][]queued
	calls    []Call
	hung     map[string]chan struct{} // correlation ID -> released on cancel
	closed   chan struct{}
	once     sync.Once
}

// queued is a failure or a verbatim answer for the next call of a method.
type queued struct {
	f      Failure
	answer string
}

// account is a signed-in account with the refresh token the broker keeps.
type account struct {
	obj          map[string]any // the account object clients get
	home         string
	clientID     string
	refreshToken string
}

// New returns a broker; it serves nothing until [Broker.Serve].
func New(opts *Options) *Broker {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.AuthorityURL == "" {
		o.AuthorityURL = "https://" + fakeauthority.DefaultHost
	}
	o.AuthorityURL = strings.TrimRight(o.AuthorityURL, "/")
	if o.Username == "" {
		o.Username = fakeauthority.DefaultUsername
	}
	if o.Password == "" {
		o.Password = fakeauthority.DefaultPassword
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		panic("fakebroker: Options.HTTPClient is required")
	}
	if o.HTTPClient.Timeout == 0 {
		c := *o.HTTPClient
		c.Timeout = 30 * time.Second
		o.HTTPClient = &c
	}
	return &Broker{opts: o, failures: map[string][]queued{}, hung: map[string]chan struct{}{}, closed: make(chan struct{})}
}

// ErrNameTaken is returned by Serve when another connection owns the
// broker's name.
var ErrNameTaken = errors.New("fakebroker: " + BusName + " is owned by another connection")

// Serve exports the broker's interface on conn and takes the broker's
// well-known name. Calls are served on conn's goroutines until conn is
// closed.
func (b *Broker) Serve(conn *dbus.Conn) error {
	obj := &object{b: b}
	err := conn.ExportWithMap(obj, map[string]string{
		"AcquireTokenInteractively": "acquireTokenInteractively",
		"AcquireTokenSilently":      "acquireTokenSilently",
		"GetAccounts":               "getAccounts",
		"RemoveAccount":             "removeAccount",
		"GetLinuxBrokerVersion":     "getLinuxBrokerVersion",
		"CancelInteractiveFlow":     "cancelInteractiveFlow",
		"AcquirePrtSsoCookie":       "acquirePrtSsoCookie",
		"GenerateSignedHTTPRequest": "generateSignedHttpRequest",
	}, ObjectPath, Interface)
	if err != nil {
		return err
	}
	reply, err := conn.RequestName(BusName, dbus.NameFlagDoNotQueue)
	if err != nil {
		return err
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return ErrNameTaken
	}
	return nil
}

// Close releases every hung call.
func (b *Broker) Close() { b.once.Do(func() { close(b.closed) }) }

// FailNext makes the next call of method (its D-Bus member name, e.g.
// "acquireTokenSilently") fail with f. Several calls queue up in order.
func (b *Broker) FailNext(method string, f Failure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures[method] = append(b.failures[method], queued{f: f})
}

// AnswerNext makes the next call of method answer answer verbatim (an
// answer a real broker gave, replayed). It queues with FailNext.
func (b *Broker) AnswerNext(method, answer string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures[method] = append(b.failures[method], queued{answer: answer})
}

// Calls returns the calls received so far, in order.
func (b *Broker) Calls() []Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Call(nil), b.calls...)
}

// CallsTo returns the calls of one method.
func (b *Broker) CallsTo(method string) []Call {
	var out []Call
	for _, c := range b.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Accounts returns the home account IDs of the signed-in accounts.
func (b *Broker) Accounts() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, a := range b.accounts {
		out = append(out, a.home)
	}
	return out
}

// begin records a call and returns what is queued for it, if anything.
func (b *Broker) begin(method, proto, corr, req string) queued {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, Call{method, proto, corr, req})
	q := b.failures[method]
	if len(q) == 0 {
		return queued{}
	}
	b.failures[method] = q[1:]
	return q[0]
}

// fail answers a call with a queued failure; ok is false when there was
// none. Hang blocks until cancelInteractiveFlow or Close.
func (b *Broker) fail(q queued, token bool, corr string) (string, *dbus.Error, bool) {
	if q.answer != "" {
		return q.answer, nil, true
	}
	switch q.f {
	case 0:
		return "", nil, false
	case InteractionRequired:
		e := interactionRequired()
		if !token {
			return marshal(map[string]any{"error": e}), nil, true
		}
		return marshal(map[string]any{"brokerTokenResponse": map[string]any{"accessTokenType": 0, "error": e,
			"expiresOn": 0, "extendedExpiresOn": 0}, "telemetry": map[string]any{"broker_version": b.opts.Version}}), nil, true
	case TopLevelError:
		return marshal(map[string]any{"error": map[string]any{"context": "The broker could not complete the request.",
			"status": 0, "subStatus": 0}}), nil, true
	case Canceled:
		return marshal(map[string]any{"brokerTokenResponse": map[string]any{"error": map[string]any{
			"context": "The InteractiveRequest was canceled by the user", "errorCode": 0, "status": 7, "subStatus": 0, "tag": 557155398}}}), nil, true
	case DBusFailed:
		return "", dbus.NewError("org.freedesktop.DBus.Error.Failed", []any{"fake broker: internal failure"}), true
	case Malformed:
		return "<html>not json", nil, true
	case Hang:
		release := make(chan struct{})
		b.mu.Lock()
		b.hung[corr] = release
		b.mu.Unlock()
		select {
		case <-release:
		case <-b.closed:
		}
		return "", dbus.NewError("org.freedesktop.DBus.Error.Failed", []any{"fake broker: the flow was canceled"}), true
	}
	return "", dbus.NewError("org.freedesktop.DBus.Error.Failed", []any{"fake broker: unknown failure"}), true
}

// interactionRequired is the error object of the real broker's answer
// when MFA has expired (siemens/linux-entra-sso issue #114).
func interactionRequired() map[string]any {
	return map[string]any{
		"context": "AADSTS50078: Presented multi-factor authentication has expired due to policies configured by your administrator, you must refresh your multi-factor authentication to access the resource.",
		"diagnostics": map[string]any{"raw_error_code": "invalid_grant",
			"exception_type": "com.microsoft.identity.common.exception.UiRequiredException", "oauth2_sub_error_code": "basic_action"},
		"errorCode": 0, "status": 2, "subStatus": 0, "tag": 0,
	}
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of JSON values are marshaled
	}
	return string(b)
}
