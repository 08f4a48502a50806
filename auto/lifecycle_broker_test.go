//go:build linux

package auto_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/godbus/dbus/v5"
)

// countingTransport counts the fake broker's token requests.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/token") {
		c.n.Add(1)
	}
	return c.next.RoundTrip(r)
}

// The lifecycle through the identity broker (the fake broker on a private
// bus), for the broker credential and auto: run 1 signs in through the
// broker's window; run 2, a new process with no terminal and no display, gets a token
// with no window and at most one token request (the broker's). The
// broker keeps the tokens, not the application's store, so the store and
// expiry rows of the file and Secret Service matrix do not apply.
func TestLifecycleBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	l := newLifecycle(t)
	bus := startBus(t)
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	tr := &countingTransport{next: l.a.Client().Transport}
	fb := fakebroker.New(&fakebroker.Options{AuthorityURL: l.a.URL(), HTTPClient: &http.Client{Transport: tr}})
	t.Cleanup(fb.Close)
	if err := fb.Serve(conn); err != nil {
		t.Fatal(err)
	}
	// The sign-in runs have a display for the broker's window (the fake
	// broker shows none); the silent runs have none, as cron or CI.
	display := []string{"DISPLAY=:0"}
	for _, flow := range []string{"broker", "auto"} {
		for _, record := range []bool{false, true} {
			name := "broker/" + flow + map[bool]string{false: "/no-record", true: "/record"}[record]
			t.Run(name, func(t *testing.T) {
				if err := fb.RestoreState([]byte(`{"version":1,"accounts":[]}`)); err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				args := []string{"-flow", flow, "-store", filepath.Join(dir, "cache.json"), "-bus", bus.Address}
				if record {
					args = append(args, "-record", filepath.Join(dir, "record.json"))
				}
				first, _ := l.runEnv(t, display, name+"/1", append(args, "-mode", "signin")...)
				if !strings.HasPrefix(first, "token ") {
					t.Fatalf("run 1: %s", first)
				}
				windows, before := len(fb.CallsTo("acquireTokenInteractively")), tr.n.Load()
				got, reqs := l.run(t, name+"/2", append(args, "-mode", "silent")...)
				s, tok, _ := counts(reqs)
				tok += int(tr.n.Load() - before)
				if !strings.HasPrefix(got, "token ") || s != 0 || tok > 1 || len(fb.CallsTo("acquireTokenInteractively")) != windows {
					t.Errorf("run 2: %q, %d sign-ins, %d token requests, %d broker windows; want a token, 0, <= 1, 0",
						got, s, tok, len(fb.CallsTo("acquireTokenInteractively"))-windows)
				}
			})
		}
	}
	// Two users signed in through the broker, no record: a new process
	// with no display gets a typed error naming the broker and the count,
	// no window, and neither user's token. (Before, auto opened the
	// broker's window there and returned the token of whoever signed in.)
	for _, flow := range []string{"broker", "auto"} {
		name := "broker/" + flow + "/two-accounts"
		t.Run(name, func(t *testing.T) {
			if err := fb.RestoreState([]byte(`{"version":1,"accounts":[]}`)); err != nil {
				t.Fatal(err)
			}
			store := filepath.Join(t.TempDir(), "cache.json")
			var tokens []string
			for _, u := range []string{fa.DefaultUsername, bobUsername} {
				out, _ := l.runEnv(t, display, name+"/"+u, "-flow", "broker", "-store", store, "-bus", bus.Address, "-mode", "signin", "-user", u)
				if !strings.HasPrefix(out, "token ") {
					t.Fatalf("signing %s in: %s", u, out)
				}
				tokens = append(tokens, out)
			}
			windows := len(fb.CallsTo("acquireTokenInteractively"))
			got, _ := l.run(t, name+"/silent", "-flow", flow, "-store", store, "-bus", bus.Address, "-mode", "silent")
			if !strings.Contains(got, "noaccount broker 2") {
				t.Errorf("got %q; want a NoAccountError of broker with 2 accounts", got)
			}
			if n := len(fb.CallsTo("acquireTokenInteractively")) - windows; n != 0 {
				t.Errorf("%d broker windows in the silent run", n)
			}
			for _, tok := range tokens {
				if strings.Contains(got, strings.TrimPrefix(tok, "token ")) {
					t.Errorf("a user's token came back: %q", got)
				}
			}
		})
	}
}
