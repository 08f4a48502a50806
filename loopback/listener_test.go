package loopback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

const testState = "state-0123456789abcdef"

func listen(t *testing.T, opts *ListenerOptions) *Listener {
	t.Helper()
	if opts == nil {
		opts = &ListenerOptions{}
	}
	if opts.State == "" {
		opts.State = testState
	}
	l, err := Listen(opts)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// noKeepAlive is a plain client that opens a new connection per request,
// so a test sees the listener's socket state, not a pooled connection.
var noKeepAlive = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

type reply struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := noKeepAlive.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func postForm(t *testing.T, uri string, form url.Values) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, uri, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

func get(t *testing.T, uri string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, uri, nil)
	return do(t, req)
}

func waitShort(t *testing.T, l *Listener) (*Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return l.Wait(ctx)
}

func assertClosed(t *testing.T, l *Listener) {
	t.Helper()
	for _, a := range l.Addrs() {
		if c, err := net.DialTimeout("tcp", a.String(), time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after the sign-in ended", a)
		}
	}
}

func TestListenAddresses(t *testing.T) {
	tests := []struct {
		name, redirect, wantHost string
	}{
		{"default", "", "localhost"},
		{"localhost", "http://localhost", "localhost"},
		{"ipv4 literal", "http://127.0.0.1", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := listen(t, &ListenerOptions{RedirectURI: tt.redirect})
			u, err := url.Parse(l.RedirectURI())
			if err != nil {
				t.Fatal(err)
			}
			if u.Scheme != "http" || u.Hostname() != tt.wantHost || u.Port() == "" || u.Path != "" {
				t.Errorf("RedirectURI() = %q, want http://%s:PORT", l.RedirectURI(), tt.wantHost)
			}
			for _, a := range l.Addrs() {
				ta := a.(*net.TCPAddr)
				if !ta.IP.IsLoopback() || strconv.Itoa(ta.Port) != u.Port() {
					t.Errorf("bound %v; want a loopback address on port %s", a, u.Port())
				}
			}
			if tt.wantHost == "127.0.0.1" && len(l.Addrs()) != 1 {
				t.Errorf("Addrs() = %v; want 127.0.0.1 only", l.Addrs())
			}
		})
	}
}

func TestListenFixedPortAndPath(t *testing.T) {
	probe, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := probe.Addr().(*net.TCPAddr).Port
	probe.Close()
	uri := fmt.Sprintf("http://localhost:%d/callback", port)
	l := listen(t, &ListenerOptions{RedirectURI: uri})
	if l.RedirectURI() != uri {
		t.Fatalf("RedirectURI() = %q, want %q", l.RedirectURI(), uri)
	}
	// Only the redirect path answers.
	if r := postForm(t, fmt.Sprintf("http://localhost:%d/", port), url.Values{"code": {"c"}, "state": {testState}}); r.status != http.StatusNotFound {
		t.Errorf("POST / = %d, want 404", r.status)
	}
	// A second listener on the same fixed port fails clearly instead of
	// moving to a port that is not the registered redirect URI.
	_, err = Listen(&ListenerOptions{RedirectURI: uri, State: testState})
	if !errors.Is(err, ErrPortInUse) {
		t.Errorf("second Listen on port %d: err = %v, want ErrPortInUse", port, err)
	}
	if r := postForm(t, uri, url.Values{"code": {"the-code"}, "state": {testState}}); r.status != http.StatusOK {
		t.Fatalf("POST %s = %d", uri, r.status)
	}
	if resp, err := waitShort(t, l); err != nil || resp.Code != "the-code" {
		t.Fatalf("Wait = %v, %v", resp, err)
	}
}

func TestParseRedirectURI(t *testing.T) {
	tests := []struct {
		in      string
		host    string
		port    int
		path    string
		wantErr bool
	}{
		{"", "localhost", 0, "/", false},
		{"http://localhost", "localhost", 0, "/", false},
		{"http://LOCALHOST:8400", "localhost", 8400, "/", false},
		{"http://127.0.0.1:0/cb", "127.0.0.1", 0, "/cb", false},
		{"http://[::1]:9000", "[::1]", 9000, "/", false},
		{"https://localhost", "", 0, "", true},
		{"http://example.com", "", 0, "", true},
		{"http://0.0.0.0", "", 0, "", true},
		{"http://localhost?x=1", "", 0, "", true},
		{"http://localhost#f", "", 0, "", true},
		{"http://u:p@localhost", "", 0, "", true},
		{"http://localhost:99999", "", 0, "", true},
		{"http://localhost:-1", "", 0, "", true},
		{"localhost:8400", "", 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseRedirectURI(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseRedirectURI(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err == nil && (got.host != tt.host || got.port != tt.port || got.path != tt.path) {
				t.Errorf("parseRedirectURI(%q) = %+v, want host %s port %d path %s", tt.in, got, tt.host, tt.port, tt.path)
			}
		})
	}
}

func TestFormPostSuccessClosesListener(t *testing.T) {
	l := listen(t, nil)
	r := postForm(t, l.RedirectURI(), url.Values{"code": {"code-1"}, "state": {testState}, "client_info": {"ci"}, "session_state": {"ss"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "Sign-in complete") {
		t.Fatalf("POST = %d %q", r.status, r.body)
	}
	if r.header.Get("Content-Security-Policy") == "" || r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("success page headers = %v; want CSP, no-referrer, nosniff", r.header)
	}
	// The socket closed with that response, before anyone called Wait.
	assertClosed(t, l)
	resp, err := waitShort(t, l)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if resp.Code != "code-1" || resp.ClientInfo != "ci" || resp.SessionState != "ss" {
		t.Errorf("Wait = %+v", *resp)
	}
	// A second redirect after completion cannot reach the listener at all.
	assertClosed(t, l)
	if _, err := noKeepAlive.PostForm(l.RedirectURI(), url.Values{"code": {"code-2"}, "state": {testState}}); err == nil {
		t.Error("a second redirect after completion was accepted")
	}
	if resp2, err := waitShort(t, l); err != nil || resp2.Code != "code-1" {
		t.Errorf("Wait again = %v, %v; want the first code", resp2, err)
	}
}

func TestQueryMode(t *testing.T) {
	l := listen(t, &ListenerOptions{ResponseMode: ResponseModeQuery})
	// A POST is not the mode asked for: answered, ignored.
	if r := postForm(t, l.RedirectURI(), url.Values{"code": {"posted"}, "state": {testState}}); r.status != http.StatusBadRequest {
		t.Errorf("POST in query mode = %d, want 400", r.status)
	}
	if r := get(t, l.RedirectURI()+"/?code=q-code&state="+testState); r.status != http.StatusOK {
		t.Fatalf("GET = %d %q", r.status, r.body)
	}
	if resp, err := waitShort(t, l); err != nil || resp.Code != "q-code" {
		t.Fatalf("Wait = %v, %v", resp, err)
	}
}

func TestFormPostRefusesQueryDowngrade(t *testing.T) {
	l := listen(t, nil)
	if r := get(t, l.RedirectURI()+"/?code=leaky&state="+testState); r.status != http.StatusBadRequest {
		t.Errorf("GET with a code in form_post mode = %d, want 400", r.status)
	}
	postForm(t, l.RedirectURI(), url.Values{"code": {"posted"}, "state": {testState}})
	if resp, err := waitShort(t, l); err != nil || resp.Code != "posted" {
		t.Fatalf("Wait = %v, %v; want the posted code", resp, err)
	}
}

func TestForgedResponsesDoNotEndSignIn(t *testing.T) {
	l := listen(t, nil)
	forged := []url.Values{
		{"code": {"ATTACKER"}, "state": {"wrong"}},
		{"code": {"ATTACKER"}},
		{"error": {"access_denied"}},
		{"error": {"access_denied"}, "state": {"wrong"}},
		{"code": {"ATTACKER"}, "state": {testState + "x"}},
		{"code": {"A", "B"}, "state": {testState}}, // repeated parameter
		{"state": {testState}},                     // neither code nor error
	}
	for _, f := range forged {
		if r := postForm(t, l.RedirectURI(), f); r.status != http.StatusBadRequest {
			t.Errorf("forged %v = %d, want 400", f, r.status)
		}
	}
	if l.finished() {
		t.Fatal("a forged response ended the sign-in")
	}
	postForm(t, l.RedirectURI(), url.Values{"code": {"real"}, "state": {testState}})
	resp, err := waitShort(t, l)
	if err != nil || resp.Code != "real" {
		t.Fatalf("Wait = %v, %v; want the real code", resp, err)
	}
}

func TestForeignHostRefused(t *testing.T) {
	l := listen(t, nil)
	u, _ := url.Parse(l.RedirectURI())
	for _, host := range []string{"evil.example:" + u.Port(), "localhost", "localhost:1", "127.0.0.1:" + u.Port()} {
		req, _ := http.NewRequest(http.MethodPost, l.RedirectURI(), strings.NewReader(url.Values{"code": {"c"}, "state": {testState}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = host
		if r := do(t, req); r.status != http.StatusForbidden {
			t.Errorf("Host %q: status %d, want 403", host, r.status)
		}
	}
	if l.finished() {
		t.Fatal("a request for a foreign host ended the sign-in")
	}
}

func TestAuthorityErrorIsEscapedAndTyped(t *testing.T) {
	l := listen(t, nil)
	r := postForm(t, l.RedirectURI(), url.Values{
		"state":             {testState},
		"error":             {`access_denied<svg onload=alert(1)>`},
		"error_description": {"AADSTS65004: <script>alert(1)</script>\x1b[31m declined"},
		"error_subcode":     {"cancel"},
	})
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	for _, raw := range []string{"<script", "<svg"} {
		if strings.Contains(strings.ToLower(r.body), raw) {
			t.Errorf("error page contains raw %q:\n%s", raw, r.body)
		}
	}
	if !strings.Contains(r.body, "&lt;script&gt;") {
		t.Errorf("error page does not show the escaped description:\n%s", r.body)
	}
	_, err := waitShort(t, l)
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		t.Fatalf("Wait error = %v, want *oauth.Error", err)
	}
	if oe.Endpoint != "authorize" || oe.SubError != "cancel" || !strings.HasPrefix(oe.Description, "AADSTS65004: <script>") {
		t.Errorf("oauth.Error = %+v", oe)
	}
	if strings.ContainsRune(oe.Description, 0x1b) {
		t.Errorf("Description keeps a terminal escape: %q", oe.Description)
	}
	assertClosed(t, l)
}

func TestAuthorityErrorSentinel(t *testing.T) {
	l := listen(t, &ListenerOptions{ResponseMode: ResponseModeQuery})
	get(t, l.RedirectURI()+"/?error=access_denied&error_description=declined&state="+testState)
	_, err := waitShort(t, l)
	if !errors.Is(err, oauth.ErrDeclined) {
		t.Errorf("Wait error = %v, want errors.Is ErrDeclined", err)
	}
}

func TestIssuerMismatch(t *testing.T) {
	l := listen(t, &ListenerOptions{Issuer: "https://login.example/tenant/v2.0"})
	postForm(t, l.RedirectURI(), url.Values{"code": {"c"}, "state": {testState}, "iss": {"https://attacker.example"}})
	if _, err := waitShort(t, l); !errors.Is(err, oauth.ErrInvalidResponse) {
		t.Errorf("Wait error = %v, want ErrInvalidResponse for a foreign iss", err)
	}
}

func TestResponseStringHidesCode(t *testing.T) {
	r := Response{Code: "SECRET-CODE", SessionState: "s"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{r, &r, []Response{r}} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "SECRET-CODE") || strings.Contains(strings.ToLower(s), fmt.Sprintf("%x", "SECRET-CODE")) {
				t.Errorf("Sprintf(%q) of a Response shows the code: %s", verb, s)
			}
		}
	}
}

func TestListenRejectsBadOptions(t *testing.T) {
	for _, o := range []*ListenerOptions{
		nil,
		{State: "s", ResponseMode: "fragment"},
		{State: "s", RedirectURI: "https://localhost"},
	} {
		if l, err := Listen(o); err == nil {
			l.Close()
			t.Errorf("Listen(%+v) succeeded, want an error", o)
		}
	}
}
