package loopback

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Tests of the listener's limits: sizes, read timeouts, and the end of the
// wait by context (cancel, deadline).

func TestSlowClientDoesNotBlockSignIn(t *testing.T) {
	l := listen(t, &ListenerOptions{ReadHeaderTimeout: time.Second, ReadTimeout: 2 * time.Second})
	u, _ := url.Parse(l.RedirectURI())
	slow, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", u.Port()))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	// Half a request line, then nothing: the server must hang up.
	if _, err := io.WriteString(slow, "POST / HTTP/1.1\r\nHost: "+u.Host+"\r\n"); err != nil {
		t.Fatal(err)
	}
	// Meanwhile the real browser completes.
	postForm(t, l.RedirectURI(), url.Values{"code": {"c"}, "state": {testState}})
	if resp, err := waitShort(t, l); err != nil || resp.Code != "c" {
		t.Fatalf("Wait = %v, %v", resp, err)
	}
	_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = bufio.NewReader(slow).ReadString('\n')
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the slow connection was still open 5s later")
	}
}

func TestSlowClientTimedOut(t *testing.T) {
	l := listen(t, &ListenerOptions{ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	u, _ := url.Parse(l.RedirectURI())
	slow, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", u.Port()))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	io.WriteString(slow, "POST / HTTP/1.1\r\n")
	_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
	// The server closes the connection (with or without a 408) well before
	// our 5 s deadline; reading to EOF proves it.
	_, err = io.ReadAll(slow)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("a client trickling its headers held the connection for 5s")
	}
	if l.finished() {
		t.Fatal("a slow client ended the sign-in")
	}
}

func TestWaitCancelled(t *testing.T) {
	l := listen(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := l.Wait(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(cancelled) = %v, want context.Canceled", err)
	}
	assertClosed(t, l)
}

func TestWaitTimeout(t *testing.T) {
	l := listen(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := l.Wait(ctx) // a browser that never comes back
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want DeadlineExceeded", err)
	}
	assertClosed(t, l)
}

// TestWaitHasADeadlineUnderBackground: a browser that never comes back
// does not hold Wait(context.Background()) forever; the listener's own
// limit (DefaultTimeout, shortened here) ends it and closes the sockets.
func TestWaitHasADeadlineUnderBackground(t *testing.T) {
	l := listen(t, &ListenerOptions{waitTimeout: 50 * time.Millisecond})
	_, err := l.Wait(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait(Background) = %v, want DeadlineExceeded", err)
	}
	assertClosed(t, l)
	if l := listen(t, nil); l.waitTimeout != DefaultTimeout {
		t.Errorf("default wait limit = %v, want %v", l.waitTimeout, DefaultTimeout)
	}
}

func TestOtherPathsAndOversizedBodies(t *testing.T) {
	l := listen(t, nil)
	if r := get(t, l.RedirectURI()+"/favicon.ico"); r.status != http.StatusNotFound {
		t.Errorf("GET /favicon.ico = %d, want 404", r.status)
	}
	big := url.Values{"code": {strings.Repeat("x", 1<<20)}, "state": {testState}}
	if r := postForm(t, l.RedirectURI(), big); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MiB form = %d, want 413", r.status)
	}
	req, _ := http.NewRequest(http.MethodPost, l.RedirectURI(), strings.NewReader("code=c&state="+testState))
	req.Header.Set("Content-Type", "text/plain")
	if r := do(t, req); r.status != http.StatusBadRequest {
		t.Errorf("text/plain POST = %d, want 400", r.status)
	}
	if l.finished() {
		t.Fatal("a bad request ended the sign-in")
	}
}

func TestIPv6LoopbackAnswers(t *testing.T) {
	l := listen(t, nil)
	if len(l.Addrs()) < 2 {
		t.Skip("no IPv6 loopback on this machine; only 127.0.0.1 is bound")
	}
	u, _ := url.Parse(l.RedirectURI())
	// A browser that resolves localhost to ::1 reaches the same listener.
	c := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp6", net.JoinHostPort("::1", u.Port()))
		},
	}}
	resp, err := c.PostForm(l.RedirectURI(), url.Values{"code": {"v6"}, "state": {testState}})
	if err != nil {
		t.Fatalf("POST over [::1]: %v", err)
	}
	resp.Body.Close()
	if r, err := waitShort(t, l); err != nil || r.Code != "v6" {
		t.Fatalf("Wait = %v, %v", r, err)
	}
}

// FuzzParseRedirectURI: any configured redirect URI is either refused or
// names a loopback host, a valid port and an absolute path.
func FuzzParseRedirectURI(f *testing.F) {
	for _, s := range []string{"", "http://localhost", "http://127.0.0.1:8400/cb", "http://[::1]:0", "https://localhost", "http://localhost:99999", "http://%6c%6fcalhost"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ru, err := parseRedirectURI(s)
		if err != nil {
			return
		}
		if ru.host != "localhost" && ru.host != "127.0.0.1" && ru.host != "[::1]" {
			t.Fatalf("parseRedirectURI(%q) accepted host %q", s, ru.host)
		}
		if ru.port < 0 || ru.port > 65535 || !strings.HasPrefix(ru.path, "/") {
			t.Fatalf("parseRedirectURI(%q) = %+v", s, ru)
		}
	})
}
