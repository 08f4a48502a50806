package loopback

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// scriptedListen is a listenFunc that fails the networks and ports a test
// chooses with the operating system's own error shapes, and otherwise
// listens for real. It records every address asked for.
type scriptedListen struct {
	fail  func(network string, port int) error // nil error: listen for real
	asked []string
}

func (s *scriptedListen) listen(network, address string) (net.Listener, error) {
	s.asked = append(s.asked, network+" "+address)
	_, p, _ := net.SplitHostPort(address)
	port, _ := strconv.Atoi(p)
	if err := s.fail(network, port); err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("bind", err)}
	}
	return listenTCP(network, address)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// bindScripted binds "localhost" on a system-chosen port with fail
// deciding which listens fail, closing the listeners when the test ends.
func bindScripted(t *testing.T, fail func(network string, port int) error) (bound, *scriptedListen) {
	t.Helper()
	s := &scriptedListen{fail: fail}
	b, err := bind(s.listen, "localhost", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, ln := range b.lns {
			ln.Close()
		}
	})
	return b, s
}

// boundIPs returns the IPs of b's listeners, as strings.
func boundIPs(b bound) []string {
	var out []string
	for _, ln := range b.lns {
		out = append(out, ln.Addr().(*net.TCPAddr).IP.String())
	}
	return out
}

// TestLocalhostNeverAdvertisedWhileIPv6PortTaken: with a system-chosen
// port, when [::1]:PORT is always someone else's, bind tries other pairs
// and then advertises 127.0.0.1, the address it holds, never localhost;
// when a later pair is free it advertises localhost on both addresses.
func TestLocalhostNeverAdvertisedWhileIPv6PortTaken(t *testing.T) {
	t.Run("always taken", func(t *testing.T) {
		b, s := bindScripted(t, func(network string, _ int) error {
			if network == "tcp6" {
				return syscall.EADDRINUSE
			}
			return nil
		})
		if b.host != "127.0.0.1" || strings.Join(boundIPs(b), ",") != "127.0.0.1" {
			t.Fatalf("bind = host %q on %v, want 127.0.0.1 on 127.0.0.1 only", b.host, boundIPs(b))
		}
		if n := strings.Count(strings.Join(s.asked, "\n"), "tcp6"); n != ephemeralPairTries {
			t.Errorf("tried [::1] %d times, want %d: %v", n, ephemeralPairTries, s.asked)
		}
		// Through Listen: the redirect URI names the bound address, and
		// the browser's redirect to it completes the sign-in.
		l := listen(t, &ListenerOptions{listen: s.listen})
		u, _ := url.Parse(l.RedirectURI())
		if u.Hostname() != "127.0.0.1" || len(l.Addrs()) != 1 || l.Addrs()[0].(*net.TCPAddr).Port != mustAtoi(t, u.Port()) {
			t.Fatalf("RedirectURI() = %s on %v, want http://127.0.0.1:PORT on that port", l.RedirectURI(), l.Addrs())
		}
		if r := postForm(t, l.RedirectURI(), url.Values{"code": {"c4"}, "state": {testState}}); r.status != http.StatusOK {
			t.Fatalf("POST %s = %d", l.RedirectURI(), r.status)
		}
		if r, err := waitShort(t, l); err != nil || r.Code != "c4" {
			t.Fatalf("Wait = %v, %v", r, err)
		}
	})
	t.Run("taken for the first ports", func(t *testing.T) {
		taken := map[int]bool{}
		b, _ := bindScripted(t, func(network string, port int) error {
			if network == "tcp6" && len(taken) < 3 {
				taken[port] = true
				return syscall.EADDRINUSE
			}
			return nil
		})
		if b.host != "localhost" || strings.Join(boundIPs(b), ",") != "127.0.0.1,::1" || taken[b.port] {
			t.Fatalf("bind = host %q on %v port %d (taken: %v), want localhost on both, on a free port", b.host, boundIPs(b), b.port, taken)
		}
	})
	t.Run("refused for another reason", func(t *testing.T) {
		b, _ := bindScripted(t, func(network string, _ int) error {
			if network == "tcp6" {
				return syscall.EACCES // e.g. a socket held with exclusive use
			}
			return nil
		})
		if b.host != "127.0.0.1" {
			t.Fatalf("bind = host %q, want 127.0.0.1 while [::1] may be someone else's", b.host)
		}
	})
}

// TestLocalhostWithOneStackMissing: a machine without IPv6 (or without
// an IPv4 loopback) serves localhost on the address it has: no program
// can hold the missing one, so the redirect URI stays localhost and the
// listener answers on it.
func TestLocalhostWithOneStackMissing(t *testing.T) {
	for _, tt := range []struct {
		missing, want string
		err           error
	}{
		{"tcp6", "127.0.0.1", syscall.EADDRNOTAVAIL},
		{"tcp6", "127.0.0.1", syscall.EAFNOSUPPORT},
		{"tcp4", "::1", syscall.EADDRNOTAVAIL},
	} {
		t.Run(tt.missing+" "+tt.err.Error(), func(t *testing.T) {
			b, _ := bindScripted(t, func(network string, _ int) error {
				if network == tt.missing {
					return tt.err
				}
				return nil
			})
			if b.host != "localhost" || strings.Join(boundIPs(b), ",") != tt.want {
				t.Fatalf("bind = host %q on %v, want localhost on %s", b.host, boundIPs(b), tt.want)
			}
		})
	}
}

// occupy binds ip:port (port 0: any) for the test, or skips when the
// machine lacks that address.
func occupy(t *testing.T, network, ip string, port int) int {
	t.Helper()
	ln, err := net.Listen(network, net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		if network == "tcp6" {
			t.Skipf("no IPv6 loopback on this machine: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// freeOn reports whether ip:port can be bound now.
func freeOn(network, ip string, port int) bool {
	ln, err := net.Listen(network, net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// TestPinnedPortInUseFailsTyped: another program holds the pinned port
// on 127.0.0.1, or on [::1] only (where a browser resolving localhost to
// ::1 would reach it): Listen fails at once with a *PortInUseError naming
// that address, matching ErrPortInUse, and holds no socket afterwards.
func TestPinnedPortInUseFailsTyped(t *testing.T) {
	for _, tt := range []struct {
		name, network, ip, host string
	}{
		{"localhost, 127.0.0.1 taken", "tcp4", "127.0.0.1", "localhost"},
		{"localhost, [::1] taken", "tcp6", "::1", "localhost"},
		{"127.0.0.1 taken", "tcp4", "127.0.0.1", "127.0.0.1"},
		{"[::1] taken", "tcp6", "::1", "[::1]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			port := occupy(t, tt.network, tt.ip, 0)
			other, otherIP := "tcp4", "127.0.0.1"
			if tt.network == "tcp4" {
				other, otherIP = "tcp6", "::1"
			}
			if tt.host == "localhost" && !freeOn(other, otherIP, port) {
				t.Skipf("%s:%d is taken too", otherIP, port)
			}
			uri := "http://" + tt.host + ":" + strconv.Itoa(port) + "/cb"
			l, err := Listen(&ListenerOptions{RedirectURI: uri, State: testState})
			if err == nil {
				l.Close()
				t.Fatalf("Listen(%s) = %s on %v, want a port-in-use error", uri, l.RedirectURI(), l.Addrs())
			}
			var pe *PortInUseError
			want := net.JoinHostPort(tt.ip, strconv.Itoa(port))
			if !errors.Is(err, ErrPortInUse) || !errors.As(err, &pe) || pe.Addr != want {
				t.Fatalf("Listen(%s) = %v, want *PortInUseError for %s", uri, err, want)
			}
			if tt.host == "localhost" && !freeOn(other, otherIP, port) {
				t.Errorf("Listen left %s:%d bound after failing", otherIP, port)
			}
		})
	}
}

// TestLocalhostAnswersOnBothStacks: the default listener serves a browser
// that resolves localhost IPv6-first and one that resolves it IPv4-first,
// both reaching this listener and not another program.
func TestLocalhostAnswersOnBothStacks(t *testing.T) {
	for _, network := range []string{"tcp6", "tcp4"} {
		t.Run(network, func(t *testing.T) {
			l := listen(t, nil)
			u, _ := url.Parse(l.RedirectURI())
			if u.Hostname() != "localhost" {
				t.Fatalf("RedirectURI() = %s, want localhost", l.RedirectURI())
			}
			ip := "127.0.0.1"
			if network == "tcp6" {
				if len(l.Addrs()) < 2 {
					t.Skip("no IPv6 loopback on this machine")
				}
				ip = "::1"
			}
			req, _ := http.NewRequest(http.MethodPost, "http://"+net.JoinHostPort(ip, u.Port())+"/",
				strings.NewReader(url.Values{"code": {network}, "state": {testState}}.Encode()))
			req.Host = u.Host
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if r := do(t, req); r.status != http.StatusOK {
				t.Fatalf("POST over %s = %d", network, r.status)
			}
			if r, err := waitShort(t, l); err != nil || r.Code != network {
				t.Fatalf("Wait = %v, %v", r, err)
			}
		})
	}
}
