//go:build linux

package auto_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

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
// broker's window; run 2, a new process with no terminal, gets a token
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
				first, _ := l.run(t, name+"/1", append(args, "-mode", "signin")...)
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
}
