//go:build linux

package auto_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/auto"
	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/broker"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
	"github.com/godbus/dbus/v5"
)

// startBus starts a private dbus-daemon; it skips (naming the Debian
// package) or, with ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, fails when
// dbus-daemon is missing.
func startBus(t *testing.T) *fakebroker.Bus {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		msg := "dbus-daemon not found: install the Debian package dbus"
		if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bus, err := fakebroker.StartBus(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	return bus
}

// serveFakeBroker puts the fake broker on bus, signing in against a.
func serveFakeBroker(t *testing.T, bus *fakebroker.Bus, a *fa.Authority) *fakebroker.Broker {
	t.Helper()
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fb := fakebroker.New(&fakebroker.Options{HTTPClient: a.Client()})
	t.Cleanup(fb.Close)
	if err := fb.Serve(conn); err != nil {
		t.Fatal(err)
	}
	return fb
}

// brokerOnBus is auto's configuration with the OS broker on bus, no Azure
// CLI session, and browser and device code hooks that record their use.
func brokerOnBus(t *testing.T, bus *fakebroker.Bus, a *fa.Authority, used *[]string) *auto.Options {
	return &auto.Options{
		ClientOptions: oauth.ClientOptions{AuthorityHost: a.URL(), HTTPClient: a.Client()},
		AzureCLI:      &azurecli.Options{ConfigDir: t.TempDir(), DisableSubprocess: true},
		BrokerOptions: &broker.Options{DBusAddress: bus.Address},
		OpenURL: func(context.Context, string) error {
			*used = append(*used, "browser")
			return errors.New("browser opened")
		},
		UserPrompt: func(context.Context, devicecode.Message) error {
			*used = append(*used, "device code")
			return nil
		},
	}
}

// With the broker on the session bus, auto signs in through it: the
// browser and the device code are never used.
func TestAutoPicksBroker(t *testing.T) {
	t.Setenv("DISPLAY", ":0") // somewhere to show the broker's window
	bus := startBus(t)
	a := fa.New(nil)
	fb := serveFakeBroker(t, bus, a)
	var used []string
	cred, err := auto.New("", brokerOnBus(t, bus, a, &used))
	if err != nil {
		t.Fatal(err)
	}
	defer cred.Close()
	if got := cred.Flows(); len(got) != 4 || got[1] != auto.Broker {
		t.Fatalf("plan %v, want the broker second", got)
	}
	tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	if err != nil || tok.Token == "" {
		t.Fatalf("GetToken: %v", err)
	}
	if _, ok := cred.Selected().(*broker.Credential); !ok {
		t.Fatalf("selected %T, want *broker.Credential", cred.Selected())
	}
	if n := len(fb.CallsTo("acquireTokenInteractively")); n != 1 || len(used) != 0 {
		t.Fatalf("%d broker sign-ins, other flows used: %v", n, used)
	}
	// The broker's account is listed and signed out through the broker.
	accts, err := cred.Accounts(context.Background())
	if err != nil || len(accts) != 1 || accts[0].Username != fa.DefaultUsername {
		t.Fatalf("Accounts = %+v, %v", accts, err)
	}
	if err := cred.RemoveAccount(context.Background(), accts[0]); err != nil {
		t.Fatal(err)
	}
	if n := len(fb.Accounts()); n != 0 || len(fb.CallsTo("removeAccount")) != 1 {
		t.Fatalf("the broker still holds %d accounts", n)
	}
}

// With no display (a cron job, CI, an SSH shell) the broker's sign-in
// window is not opened, decided at the call: auto goes on to the next
// step that can reach a person. (Before, the window was shown wherever a
// broker answered on the bus.)
func TestBrokerWindowNeedsDisplay(t *testing.T) {
	bus := startBus(t)
	a := fa.New(nil)
	fb := serveFakeBroker(t, bus, a)
	for _, display := range []string{"", ":0"} {
		if err := fb.RestoreState([]byte(`{"version":1,"accounts":[]}`)); err != nil {
			t.Fatal(err)
		}
		t.Setenv("DISPLAY", display)
		t.Setenv("WAYLAND_DISPLAY", "")
		var used []string
		o := brokerOnBus(t, bus, a, &used)
		o.OpenURL = func(context.Context, string) error {
			used = append(used, "browser")
			return errors.New("browser opened")
		}
		cred, err := auto.New("", o)
		if err != nil {
			t.Fatal(err)
		}
		windows := len(fb.CallsTo("acquireTokenInteractively"))
		_, err = cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
		cred.Close()
		opened := len(fb.CallsTo("acquireTokenInteractively")) - windows
		if display == "" && (opened != 0 || len(used) == 0 || used[0] != "browser") {
			t.Errorf("no display: %d broker windows, flows used %v (err %v); want no window, the browser next", opened, used, err)
		}
		if display != "" && (opened != 1 || err != nil) {
			t.Errorf("DISPLAY=%s: %d broker windows (err %v); want the broker's sign-in", display, opened, err)
		}
	}
}

// With a session bus but no broker on it (ServiceUnknown), the broker is
// unavailable at GetToken and auto falls back to the next flow: the
// browser, then (the browser excluded) the device code.
func TestAutoFallsBackWithoutBroker(t *testing.T) {
	bus := startBus(t)
	a := fa.New(&fa.Options{AutoApproveDevice: 1, DeviceInterval: time.Second})
	for _, tc := range []struct {
		name           string
		excludeBrowser bool
		want           string
	}{
		{"browser next", false, "browser"},
		{"device code next", true, "device code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var used []string
			o := brokerOnBus(t, bus, a, &used)
			o.ExcludeBrowser = tc.excludeBrowser
			cred, err := auto.New("", o)
			if err != nil {
				t.Fatal(err)
			}
			defer cred.Close()
			_, err = cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
			if len(used) == 0 || used[0] != tc.want {
				t.Fatalf("flows used %v (err %v), want %s first", used, err, tc.want)
			}
			if tc.excludeBrowser && err != nil {
				t.Fatalf("device code: %v", err)
			}
			if !tc.excludeBrowser && (err == nil || !strings.Contains(err.Error(), "browser opened")) {
				t.Fatalf("err = %v, want the browser hook's error", err)
			}
			if tc.excludeBrowser {
				if _, ok := cred.Selected().(*devicecode.Credential); !ok {
					t.Fatalf("selected %T", cred.Selected())
				}
			}
			// The broker's absence is not an error for Accounts.
			if _, err := cred.Accounts(context.Background()); err != nil {
				t.Fatalf("Accounts without a broker: %v", err)
			}
		})
	}
}
