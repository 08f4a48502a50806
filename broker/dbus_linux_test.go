//go:build linux

package broker_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/entraauth/entraauth/oauth"
	"github.com/godbus/dbus/v5"
)

var graph = oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
var arm = oauth.TokenOptions{Scopes: []string{"https://management.azure.com/.default"}}

// requireDaemon skips (naming the Debian package) or, with
// ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, fails when dbus-daemon is missing.
func requireDaemon(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		msg := "dbus-daemon not found: install the Debian package dbus"
		if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// startBus starts a private dbus-daemon for the test.
func startBus(t *testing.T, opts *fakebroker.BusOptions) *fakebroker.Bus {
	t.Helper()
	requireDaemon(t)
	bus, err := fakebroker.StartBus(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	return bus
}

type env struct {
	fa  *fakeauthority.Authority
	fb  *fakebroker.Broker
	bus *fakebroker.Bus
}

// startFake runs the fake broker on a private bus, signing in against an
// in-memory fake authority.
func startFake(t *testing.T, o *fakebroker.Options) *env {
	t.Helper()
	bus := startBus(t, nil)
	fa := fakeauthority.New(nil)
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var opts fakebroker.Options
	if o != nil {
		opts = *o
	}
	opts.HTTPClient = fa.Client()
	fb := fakebroker.New(&opts)
	t.Cleanup(fb.Close)
	if err := fb.Serve(conn); err != nil {
		t.Fatal(err)
	}
	return &env{fa: fa, fb: fb, bus: bus}
}

func (e *env) cred(t *testing.T, o *broker.Options) *broker.Credential {
	t.Helper()
	var opts broker.Options
	if o != nil {
		opts = *o
	}
	opts.AuthorityHost = e.fa.URL()
	opts.HTTPClient = e.fa.Client()
	opts.DBusAddress = e.bus.Address
	c, err := broker.New(fakeauthority.AzureCLIClientID, &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSignInThroughBroker(t *testing.T) {
	e := startFake(t, nil)
	c := e.cred(t, nil)
	rec, err := c.Authenticate(context.Background(), graph)
	if err != nil {
		t.Fatal(err)
	}
	want := fakeauthority.DefaultUserObjectID + "." + fakeauthority.DefaultTenantID
	if rec.Username != fakeauthority.DefaultUsername || rec.TenantID != fakeauthority.DefaultTenantID ||
		rec.HomeAccountID != want || rec.ClientID != fakeauthority.AzureCLIClientID {
		t.Fatalf("record %+v", rec)
	}
	if e.fa.Count(fakeauthority.EndpointKeys) == 0 {
		t.Fatal("the broker's ID token was not verified against the authority's keys")
	}
	calls := e.fb.CallsTo("acquireTokenInteractively")
	if len(calls) != 1 || calls[0].ProtocolVersion != "0.0" || calls[0].CorrelationID == "" {
		t.Fatalf("interactive calls %+v", calls)
	}
	var req struct {
		AuthParameters map[string]any `json:"authParameters"`
	}
	if err := json.Unmarshal([]byte(calls[0].Request), &req); err != nil {
		t.Fatal(err)
	}
	p := req.AuthParameters
	if p["clientId"] != fakeauthority.AzureCLIClientID || p["redirectUri"] != broker.RedirectURILinux ||
		p["authorizationType"] != float64(6) || !strings.HasPrefix(p["authority"].(string), "https://login.microsoftonline.com/") {
		t.Fatalf("authParameters %v", p)
	}
	if v, err := c.BrokerVersion(context.Background()); err != nil || v != fakebroker.DefaultVersion {
		t.Fatalf("BrokerVersion: %q, %v", v, err)
	}
	tok, err := c.GetToken(context.Background(), graph)
	if err != nil || tok.Token == "" || time.Until(tok.ExpiresOn) < 10*time.Minute {
		t.Fatalf("GetToken: %+v %v", tok, err)
	}
	// getAccounts before the sign-in, the sign-in, the version.
	if n := len(e.fb.Calls()); n != 3 {
		t.Fatalf("GetToken after Authenticate made %d broker calls in all, want the token from memory", n)
	}
	if p["requestedScopes"].([]any)[0] != graph.Scopes[0] || len(p["requestedScopes"].([]any)) != 1 {
		t.Fatalf("requestedScopes %v: the resource's scopes only", p["requestedScopes"])
	}
}

func TestSilentAfterInteractive(t *testing.T) {
	for _, asList := range []bool{false, true} {
		e := startFake(t, &fakebroker.Options{ScopesAsList: asList})
		c := e.cred(t, nil)
		if _, err := c.Authenticate(context.Background(), graph); err != nil {
			t.Fatal(err)
		}
		tok, err := c.GetToken(context.Background(), arm)
		if err != nil || tok.Token == "" {
			t.Fatal(tok, err)
		}
		silent := e.fb.CallsTo("acquireTokenSilently")
		if len(silent) != 1 || len(e.fb.CallsTo("acquireTokenInteractively")) != 1 {
			t.Fatalf("calls %+v", e.fb.Calls())
		}
		if !strings.Contains(silent[0].Request, `"homeAccountId":"`+fakeauthority.DefaultUserObjectID) ||
			!strings.Contains(silent[0].Request, `"authorizationType":1`) {
			t.Fatalf("silent request does not carry the broker's account: %s", silent[0].Request)
		}
	}
}

func TestSilentFromRecordInNewCredential(t *testing.T) {
	e := startFake(t, nil)
	rec, err := e.cred(t, nil).Authenticate(context.Background(), graph)
	if err != nil {
		t.Fatal(err)
	}
	o := &broker.Options{}
	o.AuthenticationRecord = rec
	o.DisableAutomaticAuthentication = true
	if _, err := e.cred(t, o).GetToken(context.Background(), arm); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fb.CallsTo("acquireTokenInteractively")); n != 1 {
		t.Fatalf("%d interactive calls, want only the first credential's", n)
	}
}

func TestAccountsAndRemove(t *testing.T) {
	e := startFake(t, nil)
	c := e.cred(t, &broker.Options{UseDefaultAccount: false})
	if accts, err := c.Accounts(context.Background()); err != nil || len(accts) != 0 {
		t.Fatal(accts, err)
	}
	if _, err := c.Authenticate(context.Background(), graph); err != nil {
		t.Fatal(err)
	}
	accts, err := c.Accounts(context.Background())
	if err != nil || len(accts) != 1 || accts[0].Username != fakeauthority.DefaultUsername {
		t.Fatal(accts, err)
	}
	if err := c.RemoveAccount(context.Background(), accts[0]); err != nil {
		t.Fatal(err)
	}
	if len(e.fb.Accounts()) != 0 || len(e.fb.CallsTo("removeAccount")) != 1 {
		t.Fatal("the broker still holds the account", e.fb.Accounts())
	}
	o := &broker.Options{}
	o.DisableAutomaticAuthentication = true
	var are *oauth.AuthenticationRequiredError
	if _, err := e.cred(t, o).GetToken(context.Background(), graph); !errors.As(err, &are) {
		t.Fatalf("after removal: %v, want AuthenticationRequiredError", err)
	}
}

func TestUseDefaultAccountSignsInSilently(t *testing.T) {
	e := startFake(t, nil)
	if _, err := e.cred(t, nil).Authenticate(context.Background(), graph); err != nil {
		t.Fatal(err)
	}
	rec, err := e.cred(t, &broker.Options{UseDefaultAccount: true}).Authenticate(context.Background(), arm)
	if err != nil || rec.Username != fakeauthority.DefaultUsername {
		t.Fatal(rec, err)
	}
	if len(e.fb.CallsTo("acquireTokenInteractively")) != 1 || len(e.fb.CallsTo("acquireTokenSilently")) != 1 {
		t.Fatalf("calls %+v", e.fb.Calls())
	}
}

func TestBrokerErrorShapes(t *testing.T) {
	cases := []struct {
		name  string
		fail  fakebroker.Failure
		check func(t *testing.T, err error)
	}{
		{"interaction required (broker 2.0.1 MFA answer)", fakebroker.InteractionRequired, func(t *testing.T, err error) {
			var be *broker.Error
			var oe *oauth.Error
			if !errors.As(err, &be) || be.Status != broker.StatusInteractionRequired || !errors.Is(err, oauth.ErrInteractionRequired) {
				t.Fatalf("%v", err)
			}
			if !errors.As(err, &oe) || !oe.HasAADSTS(50078) || oe.SubError != "basic_action" || oe.Code != "invalid_grant" {
				t.Fatalf("relayed %+v", oe)
			}
		}},
		{"top-level error", fakebroker.TopLevelError, func(t *testing.T, err error) {
			var be *broker.Error
			var oe *oauth.Error
			if !errors.As(err, &be) || be.Status != 0 || errors.As(err, &oe) || errors.Is(err, oauth.ErrInteractionRequired) {
				t.Fatalf("%v", err)
			}
		}},
		{"D-Bus error", fakebroker.DBusFailed, func(t *testing.T, err error) {
			var be *broker.Error
			if !errors.As(err, &be) || be.Exception != "org.freedesktop.DBus.Error.Failed" || !strings.Contains(be.Message, "internal failure") {
				t.Fatalf("%v", err)
			}
		}},
		{"canceled by the user (broker 3.0.2)", fakebroker.Canceled, func(t *testing.T, err error) {
			var be *broker.Error
			if !errors.As(err, &be) || be.Status != broker.StatusCanceled || !errors.Is(err, oauth.ErrDeclined) || errors.Is(err, oauth.ErrInteractionRequired) {
				t.Fatalf("%v", err)
			}
		}},
		{"malformed answer", fakebroker.Malformed, func(t *testing.T, err error) {
			var oe *oauth.Error
			if !errors.As(err, &oe) || oe.Code != "invalid_response" {
				t.Fatalf("%v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := startFake(t, nil)
			e.fb.FailNext("acquireTokenInteractively", tc.fail)
			_, err := e.cred(t, nil).Authenticate(context.Background(), graph)
			if err == nil {
				t.Fatal("no error")
			}
			tc.check(t, err)
			if errors.Is(err, broker.ErrUnsupported) {
				t.Fatal("a broker error is not ErrUnsupported")
			}
		})
	}
}

func TestAuthorityErrorRelayed(t *testing.T) {
	e := startFake(t, &fakebroker.Options{Username: fakeauthority.MFAUsername})
	_, err := e.cred(t, nil).Authenticate(context.Background(), graph)
	var oe *oauth.Error
	if !errors.As(err, &oe) || !oe.HasAADSTS(50076) || !errors.Is(err, oauth.ErrInteractionRequired) {
		t.Fatalf("%v", err)
	}
}

func TestSilentInteractionRequiredFallsBackToWindow(t *testing.T) {
	e := startFake(t, nil)
	c := e.cred(t, nil)
	if _, err := c.Authenticate(context.Background(), graph); err != nil {
		t.Fatal(err)
	}
	e.fb.FailNext("acquireTokenSilently", fakebroker.InteractionRequired)
	if _, err := c.GetToken(context.Background(), arm); err != nil {
		t.Fatal(err)
	}
	if len(e.fb.CallsTo("acquireTokenInteractively")) != 2 {
		t.Fatalf("calls %+v", e.fb.Calls())
	}
}

func TestNoBrokerIsUnsupported(t *testing.T) {
	bus := startBus(t, nil)
	fa := fakeauthority.New(nil)
	o := &broker.Options{DBusAddress: bus.Address}
	o.AuthorityHost, o.HTTPClient = fa.URL(), fa.Client()
	c, err := broker.New("", o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Authenticate(context.Background(), graph)
	if !errors.Is(err, broker.ErrUnsupported) || !strings.Contains(err.Error(), "ServiceUnknown") {
		t.Fatalf("%v", err)
	}
	if _, err := c.Accounts(context.Background()); !errors.Is(err, broker.ErrUnsupported) {
		t.Fatalf("Accounts: %v", err)
	}
	if _, err := c.BrokerVersion(context.Background()); !errors.Is(err, broker.ErrUnsupported) {
		t.Fatalf("BrokerVersion: %v", err)
	}
}

func TestNoSessionBusIsUnsupported(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	_, err := broker.New("", nil)
	var ue *oauth.CredentialUnavailableError
	if !errors.Is(err, broker.ErrUnsupported) || !errors.As(err, &ue) || ue.Credential != "broker" || !oauth.IsCredentialUnavailable(err) {
		t.Fatalf("%v", err)
	}
}

func TestHungBrokerMeetsDeadline(t *testing.T) {
	e := startFake(t, nil)
	c := e.cred(t, nil)
	if _, err := c.Authenticate(context.Background(), graph); err != nil {
		t.Fatal(err)
	}
	e.fb.FailNext("acquireTokenSilently", fakebroker.Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.GetToken(ctx, arm)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	if len(e.fb.CallsTo("acquireTokenInteractively")) != 1 {
		t.Fatal("a hung silent call must not open the window")
	}
}

// TestActivation starts the broker as the session bus starts the real one:
// a .service file names the program, and the first call to the broker's
// name makes dbus-daemon run it. The program is cmd/fakebroker, signing in
// against a fake authority on a TLS socket.
func TestActivation(t *testing.T) {
	requireDaemon(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "fakebroker")
	build := exec.Command("go", "build", "-o", bin, "github.com/entraauth/entraauth/conformance/fakebroker/cmd/fakebroker")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fa := fakeauthority.Start(t, nil)
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, fa.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	bus := startBus(t, &fakebroker.BusOptions{Activate: []string{bin, "-authority", fa.URL(), "-ca", ca}})
	o := &broker.Options{DBusAddress: bus.Address}
	o.AuthorityHost, o.HTTPClient, o.DisableInstanceDiscovery = fa.URL(), fa.TLSClient(), true
	c, err := broker.New(fakeauthority.AzureCLIClientID, o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec, err := c.Authenticate(context.Background(), graph)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Username != fakeauthority.DefaultUsername || fa.Count(fakeauthority.EndpointToken) != 1 {
		t.Fatalf("record %+v, %d token requests", rec, fa.Count(fakeauthority.EndpointToken))
	}
}
