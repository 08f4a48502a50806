package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// redirectURI is a parsed loopback redirect URI.
type redirectURI struct {
	host    string // "localhost", "127.0.0.1" or "[::1]"
	port    int    // 0: pick one
	path    string // the path to answer on, "/" at least
	rawPath string // the path as it goes into the redirect URI ("" when none was given)
}

// parseRedirectURI accepts only http loopback URIs (RFC 8252 7.3; Entra
// allows http only for localhost), without query, fragment or user info.
func parseRedirectURI(s string) (redirectURI, error) {
	if s == "" {
		s = "http://localhost"
	}
	u, err := url.Parse(s)
	if err != nil {
		return redirectURI{}, fmt.Errorf("loopback: redirect URI %q: %w", s, err)
	}
	bad := func(why string) (redirectURI, error) {
		return redirectURI{}, fmt.Errorf("loopback: redirect URI %q: %s", s, why)
	}
	if u.Scheme != "http" {
		return bad("the scheme must be http (the redirect never leaves this machine)")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return bad("user info, query and fragment are not allowed")
	}
	host := strings.ToLower(u.Hostname())
	switch host {
	case "localhost", "127.0.0.1":
	case "::1":
		host = "[::1]"
	default:
		return bad("the host must be localhost, 127.0.0.1 or [::1]")
	}
	port := 0
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return bad("invalid port")
		}
		port = n
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	return redirectURI{host: host, port: port, path: path, rawPath: u.EscapedPath()}, nil
}

// ErrPortInUse is matched (errors.Is) by the *PortInUseError [Listen]
// returns when a fixed port asked for in the redirect URI is taken. The
// listener never moves to another port on its own: that port would not
// be the registered redirect URI.
var ErrPortInUse = errors.New("loopback: port in use")

// PortInUseError reports that the loopback address and port a redirect
// URI needs are held by another socket (RFC 8252 section 7.3): for
// "localhost", either of 127.0.0.1 and [::1], since a browser may
// resolve localhost to either and would then reach the other program
// (section 8.3).
type PortInUseError struct {
	// Addr is the address that could not be bound, e.g. "[::1]:8400".
	Addr string
	// Err is the operating system's error.
	Err error
}

func (e *PortInUseError) Error() string {
	return "loopback: port in use: " + e.Addr + " is taken by another program; free it, or configure another redirect URI port"
}

// Is reports whether target is ErrPortInUse.
func (e *PortInUseError) Is(target error) bool { return target == ErrPortInUse }

// Unwrap returns the operating system's error.
func (e *PortInUseError) Unwrap() error { return e.Err }

// listenFunc opens a TCP listener; tests replace it to simulate a taken
// or missing address.
type listenFunc func(network, address string) (net.Listener, error)

func listenTCP(network, address string) (net.Listener, error) {
	var lc net.ListenConfig
	return lc.Listen(context.Background(), network, address)
}

// ephemeralPairTries is how many system-chosen ports bind tries for
// "localhost" before it gives up on [::1] and advertises 127.0.0.1.
const ephemeralPairTries = 8

// bound is the outcome of bind: the listeners, their port, and the host
// to put in the redirect URI ("localhost", "127.0.0.1" or "[::1]").
type bound struct {
	lns  []net.Listener
	port int
	host string
}

// bind listens on the loopback addresses for host. For "127.0.0.1" and
// "[::1]" that is the address named. For "localhost" it is 127.0.0.1 and
// [::1] on one port, because a browser may resolve localhost to either:
// where one of them is missing on this machine (no IPv6, or no IPv4
// loopback) the other alone serves, since no program can hold the missing
// one either. Where one is taken or refused, localhost is not advertised
// while another program may answer on it: a fixed port fails with a
// *PortInUseError (or the bind error), and a system-chosen port is tried
// again, up to ephemeralPairTries times, before settling for 127.0.0.1
// alone with "127.0.0.1" in the redirect URI. Port 0 lets the system
// choose.
func bind(listen listenFunc, host string, port int) (bound, error) {
	if host != "localhost" {
		ln, err := listenOne(listen, strings.Trim(host, "[]"), port)
		if err != nil {
			return bound{}, err
		}
		return bound{[]net.Listener{ln}, ln.Addr().(*net.TCPAddr).Port, host}, nil
	}
	for try := 1; ; try++ {
		v4, err := listenOne(listen, "127.0.0.1", port)
		if err != nil {
			if !addrUnavailable(err) {
				return bound{}, err
			}
			// No IPv4 loopback: [::1] alone, and nobody can hold 127.0.0.1.
			v6, err := listenOne(listen, "::1", port)
			if err != nil {
				return bound{}, err
			}
			return bound{[]net.Listener{v6}, v6.Addr().(*net.TCPAddr).Port, "localhost"}, nil
		}
		got := v4.Addr().(*net.TCPAddr).Port
		v6, err := listenOne(listen, "::1", got)
		switch {
		case err == nil:
			return bound{[]net.Listener{v4, v6}, got, "localhost"}, nil
		case addrUnavailable(err):
			// No IPv6 loopback: nobody can hold [::1] either.
			return bound{[]net.Listener{v4}, got, "localhost"}, nil
		case port != 0:
			_ = v4.Close()
			return bound{}, err
		case try >= ephemeralPairTries:
			// [::1]:got is someone else's: name the address we hold.
			return bound{[]net.Listener{v4}, got, "127.0.0.1"}, nil
		}
		_ = v4.Close()
	}
}

// listenOne listens on ip:port, reporting a taken port as a
// *PortInUseError and anything else as a wrapped error whose Unwrap is
// the listen error.
func listenOne(listen listenFunc, ip string, port int) (net.Listener, error) {
	network := "tcp4"
	if strings.Contains(ip, ":") {
		network = "tcp6"
	}
	addr := net.JoinHostPort(ip, strconv.Itoa(port))
	ln, err := listen(network, addr)
	switch {
	case err == nil:
		return ln, nil
	case isAddrInUse(err):
		return nil, &PortInUseError{Addr: addr, Err: err}
	}
	return nil, &listenError{addr: addr, err: err}
}

type listenError struct {
	addr string
	err  error
}

func (e *listenError) Error() string {
	return "loopback: cannot listen on " + e.addr + ": " + e.err.Error()
}
func (e *listenError) Unwrap() error { return e.err }
