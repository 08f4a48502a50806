package fakebroker

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/godbus/dbus/v5"
)

// TestWireShapes calls the fake over a real private bus, by member name
// as clients of the real broker do, and checks the answers' shapes.
func TestWireShapes(t *testing.T) {
	fa := fakeauthority.New(nil)
	bus, _, _ := serveOnBus(t, &Options{HTTPClient: fa.Client()})
	client, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := New(&Options{HTTPClient: fa.Client()}).Serve(client); err != ErrNameTaken {
		t.Fatalf("a second broker on the bus: %v, want ErrNameTaken", err)
	}
	call := func(method, req string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var out string
		if err := client.Object(BusName, ObjectPath).CallWithContext(ctx, Interface+"."+method, 0, "0.0", "corr-1", req).Store(&out); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		return out
	}
	if got := call("getLinuxBrokerVersion", `{"msalCppVersion":"x"}`); got != `{"linuxBrokerVersion":"2.0.1"}` {
		t.Fatal(got)
	}
	sent := time.Now()
	out := call("acquireTokenInteractively", `{"authParameters":{"clientId":"`+fakeauthority.AzureCLIClientID+
		`","authority":"https://login.microsoftonline.com/common","redirectUri":"https://login.microsoftonline.com/common/oauth2/nativeclient",
		"requestedScopes":["https://graph.microsoft.com/.default"],"authorizationType":6}}`)
	var resp struct {
		BTR struct {
			AccessToken   string         `json:"accessToken"`
			ExpiresOn     int64          `json:"expiresOn"`
			GrantedScopes string         `json:"grantedScopes"`
			IDToken       string         `json:"idToken"`
			Account       map[string]any `json:"account"`
		} `json:"brokerTokenResponse"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatal(err)
	}
	r := resp.BTR
	if r.AccessToken == "" || r.IDToken == "" || !strings.Contains(r.GrantedScopes, "https://graph.microsoft.com/") ||
		r.ExpiresOn < sent.Add(50*time.Minute).UnixMilli() || r.Account["homeAccountId"] != fakeauthority.DefaultUserObjectID+"."+fakeauthority.DefaultTenantID {
		t.Fatalf("%s", out)
	}
	if strings.Contains(out, "refresh") {
		t.Fatal("the broker's answer carries a refresh token")
	}
	if got := call("getAccounts", `{}`); !strings.Contains(got, fakeauthority.DefaultUsername) {
		t.Fatal(got)
	}
	// Like broker 2.0.2 and later, no introspection.
	err = client.Object(BusName, ObjectPath).Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Err
	if err == nil {
		t.Fatal("the fake answers Introspect; the real broker does not")
	}
}

// FuzzRequests: no request JSON makes the fake panic.
func FuzzRequests(f *testing.F) {
	f.Add(`{"authParameters":{"account":{"homeAccountId":"u.t"},"clientId":"c"}}`)
	f.Add(`{"account":{"homeAccountId":"x"}}`)
	f.Add(`{"correlationId":"c"}`)
	f.Add(`{"authParameters":{"account":{"username":"alice@contoso.onmicrosoft.com"},"clientId":"c","requestedScopes":["x"]}}`)
	b := New(&Options{HTTPClient: fakeauthority.New(nil).Client()})
	o := &object{b: b}
	h := &object{b: New(&Options{HTTPClient: fakeauthority.New(nil).Client(), Mode: Himmelblau})}
	f.Fuzz(func(t *testing.T, req string) {
		h.AcquireTokenSilently("0.0", "c", req)
		h.GenerateSignedHTTPRequest("0.0", "c", req)
		o.AcquireTokenSilently("0.0", "c", req)
		o.RemoveAccount("0.0", "c", req)
		o.CancelInteractiveFlow("0.0", "c", req)
		o.GetAccounts("0.0", "c", req)
	})
}

// TestUnsupportedMethods: acquirePrtSsoCookie and generateSignedHttpRequest
// are answered as a method the broker does not implement: an UnknownMethod
// D-Bus error as Microsoft's mode, himmelblau's "Not implemented" error
// as himmelblau's; both calls are recorded.
func TestUnsupportedMethods(t *testing.T) {
	for _, mode := range []Mode{Microsoft, Himmelblau} {
		_, conn, b := serveOnBus(t, &Options{HTTPClient: fakeauthority.New(nil).Client(), Mode: mode})
		for _, m := range []string{"acquirePrtSsoCookie", "generateSignedHttpRequest"} {
			var out string
			err := conn.Object(BusName, ObjectPath).Call(Interface+"."+m, 0, "0.0", "c", `{}`).Store(&out)
			var de dbus.Error
			switch mode {
			case Microsoft:
				if !errors.As(err, &de) || de.Name != "org.freedesktop.DBus.Error.UnknownMethod" {
					t.Errorf("%s: %q %v", m, out, err)
				}
			case Himmelblau:
				if err != nil || out != `{"error":{"context":"Not implemented","status":0,"subStatus":0}}` {
					t.Errorf("himmelblau %s: %q %v", m, out, err)
				}
			}
			if len(b.CallsTo(m)) != 1 {
				t.Errorf("%s not recorded", m)
			}
		}
	}
}

// serveOnBus starts a private bus and serves a broker with opts on it
// until the test ends. It skips or, with ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1,
// fails when dbus-daemon is missing (ErrNoDaemon names its Debian
// package).
func serveOnBus(t *testing.T, opts *Options) (*Bus, *dbus.Conn, *Broker) {
	t.Helper()
	bus, err := StartBus(context.Background(), nil)
	if errors.Is(err, ErrNoDaemon) && os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") != "1" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	b := New(opts)
	t.Cleanup(b.Close)
	if err := b.Serve(conn); err != nil {
		t.Fatal(err)
	}
	return bus, conn, b
}
