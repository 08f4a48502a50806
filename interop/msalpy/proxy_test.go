package msalpy

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// Both sides talk to https://login.microsoftonline.com, answered by the
// fake authority on 127.0.0.1:PORT with a certificate for that name: the
// cache's environment is then the real host name on both sides. MSAL
// Python could not use the fake's own URL: it drops an authority's port
// (msal/authority.py canonicalize keeps the bare host name as the
// environment, and user_realm_discovery asks port 443).

// fakeClient is an HTTP client that trusts fa's certificate and dials fa
// whatever host a URL names.
func fakeClient(fa *fakeauthority.Authority) *http.Client {
	tr := fa.TLSClient().Transport.(*http.Transport).Clone()
	addr := strings.TrimPrefix(fa.URL(), "https://")
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// startProxy starts an HTTP CONNECT proxy on loopback, closed with the
// test, that tunnels CONNECT login.microsoftonline.com:443 to fa and
// refuses anything else, and returns its URL for HTTPS_PROXY.
func startProxy(t *testing.T, fa *fakeauthority.Authority) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(fa.URL(), "https://")
	done := make(chan struct{})
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go tunnel(c, addr)
		}
	}()
	return "http://" + ln.Addr().String()
}

// tunnel serves one proxy connection: a CONNECT to entraHost:443 is
// joined to the fake at addr; anything else is refused.
func tunnel(c net.Conn, addr string) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(scriptTimeout))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect || req.Host != entraHost+":443" {
		_, _ = io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
		return
	}
	up, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer up.Close()
	_ = up.SetDeadline(time.Now().Add(scriptTimeout))
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	go func() {
		_, _ = io.Copy(up, br) // br: bytes the client sent after the CONNECT
		_ = up.(*net.TCPConn).CloseWrite()
	}()
	_, _ = io.Copy(c, up)
}
