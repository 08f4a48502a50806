package loopback_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

const graphScope = "https://graph.microsoft.com/.default"

var graph = oauth.TokenOptions{Scopes: []string{graphScope}}

// newCredential returns a credential against an in-memory fake authority.
func newCredential(t *testing.T, fa *fakeauthority.Authority, mod func(*loopback.Options)) *loopback.Credential {
	t.Helper()
	o := &loopback.Options{
		ClientOptions: clientOptions(fa),
		Timeout:       20 * time.Second,
		Output:        &bytes.Buffer{},
	}
	if mod != nil {
		mod(o)
	}
	c, err := loopback.New("", o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func clientOptions(fa *fakeauthority.Authority) oauth.ClientOptions {
	return oauth.ClientOptions{HTTPClient: fa.Client(), TenantID: fakeauthority.DefaultTenantID}
}

// plain reaches our listener like a browser would: a fresh connection per
// request, no redirects followed.
var plain = &http.Client{
	Transport:     &http.Transport{DisableKeepAlives: true},
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// deliver posts a form_post response to the redirect URI named in the
// authorize URL, as the browser would.
func deliver(ctx context.Context, authURL string, form url.Values) (int, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.Query().Get("redirect_uri"), strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := plain.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func stateOf(authURL string) string {
	u, _ := url.Parse(authURL)
	return u.Query().Get("state")
}

func TestAuthorizeRequest(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*loopback.Options)
		token oauth.TokenOptions
		want  map[string]string // "" value: must be absent
	}{
		{
			name: "defaults",
			want: map[string]string{"response_type": "code", "response_mode": "form_post", "prompt": "select_account",
				"code_challenge_method": "S256", "client_id": fakeauthority.AzureCLIClientID, "login_hint": "", "domain_hint": "", "claims": ""},
		},
		{
			name: "query mode and hints",
			mod: func(o *loopback.Options) {
				o.ResponseMode = loopback.ResponseModeQuery
				o.LoginHint = fakeauthority.DefaultUsername
				o.DomainHint = fakeauthority.DefaultTenantDomain
			},
			want: map[string]string{"response_mode": "query", "login_hint": fakeauthority.DefaultUsername,
				"domain_hint": fakeauthority.DefaultTenantDomain, "prompt": ""},
		},
		{
			name: "explicit prompt with a hint",
			mod:  func(o *loopback.Options) { o.Prompt = "login"; o.LoginHint = "x@y" },
			want: map[string]string{"prompt": "login", "login_hint": "x@y"},
		},
		{
			name:  "claims challenge",
			token: oauth.TokenOptions{Scopes: []string{graphScope}, Claims: `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`},
			want:  map[string]string{"claims": `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := fakeauthority.New(nil)
			var got *url.URL
			cred := newCredential(t, fa, func(o *loopback.Options) {
				if tt.mod != nil {
					tt.mod(o)
				}
				o.OpenURL = func(_ context.Context, u string) error {
					got, _ = url.Parse(u)
					return errors.New("stop here")
				}
			})
			tok := tt.token
			if tok.Scopes == nil {
				tok = graph
			}
			if _, err := cred.GetToken(context.Background(), tok); err == nil || !strings.Contains(err.Error(), "stop here") {
				t.Fatalf("GetToken = %v, want the hook's error", err)
			}
			if got == nil {
				t.Fatal("OpenURL was not called")
			}
			checkAuthorizeURL(t, fa, got, tt.want)
		})
	}
}

// checkAuthorizeURL checks the parameters every authorize request carries,
// and those in want ("" meaning absent).
func checkAuthorizeURL(t *testing.T, fa *fakeauthority.Authority, got *url.URL, want map[string]string) {
	t.Helper()
	q := got.Query()
	if got.Scheme+"://"+got.Host+got.Path != fa.URL()+"/"+fakeauthority.DefaultTenantID+"/oauth2/v2.0/authorize" {
		t.Errorf("authorize endpoint = %s", got.Scheme+"://"+got.Host+got.Path)
	}
	for k, v := range want {
		if q.Get(k) != v || (v == "" && q.Has(k)) {
			t.Errorf("%s = %q (present %v), want %q", k, q.Get(k), q.Has(k), v)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if v := q.Get(k); !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(v) {
			t.Errorf("%s = %q, want 43 base64url characters", k, v)
		}
	}
	if q.Get("state") == q.Get("nonce") {
		t.Error("state and nonce are the same value")
	}
	scopes := strings.Fields(q.Get("scope"))
	for _, s := range []string{graphScope, "openid", "profile", "offline_access"} {
		if !strings.Contains(" "+q.Get("scope")+" ", " "+s+" ") {
			t.Errorf("scope %q lacks %s", scopes, s)
		}
	}
	if ru, err := url.Parse(q.Get("redirect_uri")); err != nil || ru.Scheme != "http" || ru.Hostname() != "localhost" || ru.Port() == "" {
		t.Errorf("redirect_uri = %q, want http://localhost:PORT", q.Get("redirect_uri"))
	}
}

func TestFreshSecretsPerSignIn(t *testing.T) {
	fa := fakeauthority.New(nil)
	var urls []*url.URL
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.OpenURL = func(_ context.Context, u string) error {
			p, _ := url.Parse(u)
			urls = append(urls, p)
			return errors.New("stop")
		}
	})
	for range 3 {
		cred.GetToken(context.Background(), graph)
	}
	seen := map[string]bool{}
	for _, u := range urls {
		for _, k := range []string{"state", "nonce", "code_challenge"} {
			v := u.Query().Get(k)
			if seen[v] {
				t.Errorf("%s %q reused across sign-ins", k, v)
			}
			seen[v] = true
		}
	}
	if len(urls) != 3 {
		t.Fatalf("OpenURL called %d times, want 3", len(urls))
	}
}

func TestAuthorityErrorAfterForgery(t *testing.T) {
	fa := fakeauthority.New(nil)
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.OpenURL = func(ctx context.Context, u string) error {
			// A local attacker races the browser: wrong state, then none.
			for _, f := range []url.Values{
				{"error": {"access_denied"}, "state": {"forged"}},
				{"error": {"access_denied"}},
				{"code": {"ATTACKER"}, "state": {"forged"}},
			} {
				if st, err := deliver(ctx, u, f); err != nil || st != http.StatusBadRequest {
					return errors.New("forged response not refused")
				}
			}
			// The real browser then reports that the user declined.
			_, err := deliver(ctx, u, url.Values{"error": {"access_denied"}, "error_description": {"AADSTS65004: User declined to consent"}, "state": {stateOf(u)}})
			return err
		}
	})
	_, err := cred.GetToken(context.Background(), graph)
	var oe *oauth.Error
	if !errors.As(err, &oe) || !errors.Is(err, oauth.ErrDeclined) || oe.Endpoint != "authorize" || !strings.HasPrefix(oe.Description, "AADSTS65004") {
		t.Fatalf("GetToken = %v, want the authority's access_denied as *oauth.Error", err)
	}
	if n := fa.Count(fakeauthority.EndpointToken); n != 0 {
		t.Errorf("token endpoint called %d times; a forged or failed response must not be redeemed", n)
	}
}

func TestBrowserNeverComesBack(t *testing.T) {
	fa := fakeauthority.New(nil)
	var redirect string
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.Timeout = 100 * time.Millisecond
		o.OpenURL = func(_ context.Context, u string) error {
			redirect = mustQuery(u, "redirect_uri")
			return nil
		}
	})
	start := time.Now()
	_, err := cred.GetToken(context.Background(), graph)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no response from the browser within 100ms") {
		t.Fatalf("GetToken = %v, want the sign-in timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("timed out after %v", d)
	}
	assertRefused(t, redirect)
}

func TestContextCancelled(t *testing.T) {
	fa := fakeauthority.New(nil)
	ctx, cancel := context.WithCancel(context.Background())
	var redirect string
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.OpenURL = func(_ context.Context, u string) error {
			redirect = mustQuery(u, "redirect_uri")
			cancel() // the user pressed Ctrl-C while the browser was open
			return nil
		}
	})
	_, err := cred.GetToken(ctx, graph)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("GetToken = %v, want context.Canceled", err)
	}
	assertRefused(t, redirect)
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fa := fakeauthority.New(nil)
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.RedirectURI = "http://127.0.0.1:" + strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
		o.OpenURL = func(context.Context, string) error { t.Error("browser opened without a listener"); return nil }
	})
	if _, err := cred.GetToken(context.Background(), graph); !errors.Is(err, loopback.ErrPortInUse) {
		t.Fatalf("GetToken = %v, want ErrPortInUse", err)
	}
}

// lineWriter calls f with each complete line written to it.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	f   func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(p), nil
		}
		w.f(strings.TrimSpace(line))
	}
}

func TestNoBrowserPrintsURL(t *testing.T) {
	// No $BROWSER, no desktop session: OpenBrowser has nothing to run.
	t.Setenv("BROWSER", "")
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if loopback.CanOpenBrowser() {
		t.Skip("this machine can open a browser anyway (WSL, macOS or Windows)")
	}
	fa := fakeauthority.New(nil)
	printed := make(chan string, 1)
	out := &lineWriter{f: func(line string) {
		if strings.HasPrefix(line, "https://") {
			printed <- line
		}
	}}
	cred := newCredential(t, fa, func(o *loopback.Options) { o.Output = out })
	go func() {
		u := <-printed
		// The user opens it by hand; here the "browser" declines, which
		// is enough to prove the printed URL is the live sign-in.
		deliver(context.Background(), u, url.Values{"error": {"access_denied"}, "state": {stateOf(u)}})
	}()
	if _, err := cred.GetToken(context.Background(), graph); !errors.Is(err, oauth.ErrDeclined) {
		t.Fatalf("GetToken = %v, want the declined error delivered through the printed URL", err)
	}
}

func TestBrowserEnvIsUsed(t *testing.T) {
	dir := t.TempDir()
	got := filepath.Join(dir, "url")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+got+".tmp && mv "+got+".tmp "+got+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BROWSER", script)
	fa := fakeauthority.New(nil)
	cred := newCredential(t, fa, nil)
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if b, err := os.ReadFile(got); err == nil {
				deliver(context.Background(), string(b), url.Values{"error": {"access_denied"}, "state": {stateOf(string(b))}})
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if _, err := cred.GetToken(context.Background(), graph); !errors.Is(err, oauth.ErrDeclined) {
		t.Fatalf("GetToken = %v, want the response delivered via the $BROWSER command", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []*loopback.Options{
		{ResponseMode: "fragment"},
		{Prompt: "always"},
		{RedirectURI: "https://localhost"},
		{RedirectURI: "http://example.com"},
		{Timeout: -time.Second},
	} {
		if _, err := loopback.New("", o); err == nil {
			t.Errorf("New(%+v) succeeded, want an error", o)
		}
	}
	if _, err := loopback.New("", nil); err != nil {
		t.Errorf("New(nil) = %v", err)
	}
}

func mustQuery(u, key string) string {
	p, _ := url.Parse(u)
	return p.Query().Get(key)
}

// assertRefused checks that nothing listens at the redirect URI any more.
func assertRefused(t *testing.T, redirect string) {
	t.Helper()
	if redirect == "" {
		t.Fatal("no redirect URI was seen")
	}
	resp, err := plain.Post(redirect, "application/x-www-form-urlencoded", strings.NewReader("code=x&state=y"))
	if err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after the sign-in ended", redirect)
	}
}
