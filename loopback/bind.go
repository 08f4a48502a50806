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

// ErrPortInUse is returned (wrapped) by [Listen] when a fixed port asked
// for in the redirect URI is taken. The listener never moves to another
// port on its own: that port would not be the registered redirect URI.
var ErrPortInUse = errors.New("loopback: port in use")

// bind listens on the loopback addresses for host: 127.0.0.1 and [::1] on
// one port for "localhost" (the second only where it can), else just the
// address named. Port 0 lets the system choose.
func bind(host string, port int) ([]net.Listener, int, error) {
	var primary, secondary string
	switch host {
	case "localhost":
		primary, secondary = "127.0.0.1", "::1"
	case "127.0.0.1":
		primary = "127.0.0.1"
	default:
		primary = "::1"
	}
	var lc net.ListenConfig
	listen := func(ip string, port int) (net.Listener, error) {
		network := "tcp4"
		if strings.Contains(ip, ":") {
			network = "tcp6"
		}
		return lc.Listen(context.Background(), network, net.JoinHostPort(ip, strconv.Itoa(port)))
	}
	// With an ephemeral port, the [::1] side of the pair can collide with
	// another program; try a few pairs before settling for 127.0.0.1 alone.
	tries := 1
	if port == 0 && secondary != "" {
		tries = 4
	}
	for i := 0; ; i++ {
		ln, err := listen(primary, port)
		if err != nil && host == "localhost" && !isAddrInUse(err) {
			// No IPv4 loopback (an IPv6-only host): localhost still works.
			primary, secondary = "::1", ""
			ln, err = listen(primary, port)
		}
		if err != nil {
			if isAddrInUse(err) {
				return nil, 0, fmt.Errorf("%w: %v", ErrPortInUse, err)
			}
			return nil, 0, fmt.Errorf("loopback: cannot listen: %w", err)
		}
		got := ln.Addr().(*net.TCPAddr).Port
		if secondary == "" {
			return []net.Listener{ln}, got, nil
		}
		ln2, err := listen(secondary, got)
		if err == nil {
			return []net.Listener{ln, ln2}, got, nil
		}
		if i+1 >= tries || !isAddrInUse(err) {
			return []net.Listener{ln}, got, nil
		}
		_ = ln.Close()
	}
}
