//go:build linux

package broker

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/godbus/dbus/v5"
)

// TestDefaultDeadline: a broker that never answers cannot hold a caller
// that passed context.Background(): the call's own deadline ends it.
func TestDefaultDeadline(t *testing.T) {
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
	defer bus.Close()
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fa := fakeauthority.New(nil)
	fb := fakebroker.New(&fakebroker.Options{HTTPClient: fa.Client()})
	defer fb.Close()
	if err := fb.Serve(conn); err != nil {
		t.Fatal(err)
	}
	old := callTimeout
	callTimeout = 200 * time.Millisecond
	defer func() { callTimeout = old }()
	fb.FailNext("getAccounts", fakebroker.Hang)
	o := &Options{DBusAddress: bus.Address}
	o.AuthorityHost, o.HTTPClient = fa.URL(), fa.Client()
	c, err := New("", o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Accounts(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
}
