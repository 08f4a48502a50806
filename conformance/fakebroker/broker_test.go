package fakebroker

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/godbus/dbus/v5"
)

// TestWireShapes calls the fake over a real private bus, by member name
// as clients of the real broker do, and checks the answers' shapes.
func TestWireShapes(t *testing.T) {
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		msg := "dbus-daemon not found: install the Debian package dbus"
		if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bus, err := StartBus(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	server, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	fa := fakeauthority.New(nil)
	b := New(&Options{HTTPClient: fa.Client()})
	defer b.Close()
	if err := b.Serve(server); err != nil {
		t.Fatal(err)
	}
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
	b := New(&Options{HTTPClient: fakeauthority.New(nil).Client()})
	o := &object{b: b}
	f.Fuzz(func(t *testing.T, req string) {
		o.AcquireTokenSilently("0.0", "c", req)
		o.RemoveAccount("0.0", "c", req)
		o.CancelInteractiveFlow("0.0", "c", req)
		o.GetAccounts("0.0", "c", req)
	})
}
