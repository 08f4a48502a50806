package loopback

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/pkce"
)

// The real-browser tests drive Debian's chromium through the DevTools
// protocol (chromedp, over a pipe). They are system tests: without
// chromium they skip, naming the package, unless
// ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, where they fail.

// chromiumPath finds the browser or ends the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "loopback: real-browser test needs Chromium (Debian package chromium: apt-get install chromium)"
	if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
		t.Fatal(msg + "; ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1 forbids skipping")
	}
	t.Skip(msg)
	return ""
}

// spkiHash is the base64 SHA-256 of a certificate's public key, the form
// Chromium's --ignore-certificate-errors-spki-list takes.
func spkiHash(cert []byte) (string, error) {
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// serverSPKI dials a TLS server with client (which trusts it) and returns
// the hash of the key it presents.
func serverSPKI(t *testing.T, client *http.Client, serverURL string) string {
	t.Helper()
	resp, err := client.Get(serverURL)
	if err != nil {
		t.Fatalf("reaching %s: %v", serverURL, err)
	}
	resp.Body.Close()
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 {
		t.Fatalf("%s did not present a TLS certificate", serverURL)
	}
	h, err := spkiHash(resp.TLS.PeerCertificates[0].Raw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newChromium starts a headless Chromium with a fresh profile and returns
// a chromedp context for it; the browser stops when the test ends. It
// trusts exactly the TLS key whose hash is trustSPKI (the fake authority's
// self-generated certificate), scoped to this profile: Chromium honours
// --ignore-certificate-errors-spki-list only together with
// --user-data-dir, and only for that key, unlike
// --ignore-certificate-errors.
func newChromium(t *testing.T, trustSPKI string) context.Context {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	if trustSPKI != "" {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors-spki-list", trustSPKI))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, with the long-lived context (chromedp ties the
	// browser's life to the first Run's context).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// step runs chromedp actions with a deadline, so a page that never loads
// fails the test instead of hanging it.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("chromium: %s: %v", what, err)
	}
}

// TestChromiumHarness proves the harness itself: Chromium loads a page
// from a TLS server it trusts only by key hash, a form is filled in by
// typing, and its POST crosses from https to our http://localhost listener
// (the shape of Entra's form_post), which takes the code.
func TestChromiumHarness(t *testing.T) {
	l := listen(t, nil)
	page := fmt.Sprintf(`<!DOCTYPE html><html><head><title>harness</title></head><body>
<form id="f" method="post" action="%s">
<input type="hidden" name="state" value="%s">
<input id="code" name="code" type="text">
<button id="go" type="submit">Go</button></form></body></html>`, html.EscapeString(l.RedirectURI()), testState)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()

	ctx := newChromium(t, serverSPKI(t, srv.Client(), srv.URL))
	step(t, ctx, "sign in",
		chromedp.Navigate(srv.URL),
		chromedp.SendKeys(chromedp.ID("code"), "typed-code"),
		chromedp.Click(chromedp.ID("go")),
	)
	resp, err := waitShort(t, l)
	if err != nil || resp.Code != "typed-code" {
		t.Fatalf("Wait = %v, %v; want the typed code", resp, err)
	}
	// The browser shows our success page.
	loc := waitLocation(t, ctx, l.RedirectURI())
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || text != pageSuccess.Title {
		t.Errorf("page at %s shows %q, %v; want %q", loc, text, err, pageSuccess.Title)
	}
}

// waitLocation waits until the browser's location starts with prefix.
func waitLocation(t *testing.T, ctx context.Context, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && len(loc) >= len(prefix) && loc[:len(prefix)] == prefix {
			return loc
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser location %q (err %v); want it under %s", loc, err, prefix)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRealBrowserSignIn is the proof: a real headless Chromium
// opens the authorize URL on the fake authority's TLS socket, the test
// types the username and password into its sign-in page and submits, and
// the authority's answer (the auto-posting form for form_post, a 302 for
// query) lands on our listener, which redeems the code.
func TestRealBrowserSignIn(t *testing.T) {
	for _, mode := range []string{ResponseModeFormPost, ResponseModeQuery} {
		t.Run(mode, func(t *testing.T) {
			chromiumPath(t)
			fa := fakeauthority.Start(t, nil)
			browser := newChromium(t, serverSPKI(t, fa.TLSClient(), fa.URL()+"/common/discovery/instance"))
			tc := cache.New(nil, nil)
			var redirectURI string
			cred, err := New("", &Options{
				ClientOptions: oauth.ClientOptions{
					AuthorityHost: fa.URL(), TenantID: fakeauthority.DefaultTenantID,
					HTTPClient: fa.TLSClient(), Cache: tc, DisableInstanceDiscovery: true,
				},
				ResponseMode: mode,
				Timeout:      time.Minute,
				OpenURL: func(_ context.Context, authURL string) error {
					u, _ := url.Parse(authURL)
					redirectURI = u.Query().Get("redirect_uri")
					step(t, browser, "sign in on the fake authority's page",
						chromedp.Navigate(authURL),
						chromedp.WaitVisible(chromedp.ID("username")),
						chromedp.SendKeys(chromedp.ID("username"), fakeauthority.DefaultUsername),
						chromedp.SendKeys(chromedp.ID("password"), fakeauthority.DefaultPassword),
						chromedp.Click(chromedp.ID("submit")),
					)
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			tok, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
			if err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			if strings.Count(tok.Token, ".") != 2 || !tok.ExpiresOn.After(time.Now()) {
				t.Errorf("token = %.20s... expiring %v; want a JWT valid now", tok.Token, tok.ExpiresOn)
			}
			// The browser ends on our success page.
			waitLocation(t, browser, redirectURI)
			if h1, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("h1"))); err != nil || h1 != pageSuccess.Title {
				t.Errorf("browser shows %q (%v), want %q", h1, err, pageSuccess.Title)
			}
			checkBrowserRedemption(t, fa, mode)
			host := strings.TrimPrefix(fa.URL(), "https://")
			if accts := tc.Accounts(host, fakeauthority.AzureCLIClientID); len(accts) != 1 || !strings.EqualFold(accts[0].Username, fakeauthority.DefaultUsername) {
				t.Errorf("cached accounts at %s = %+v, want %s", host, accts, fakeauthority.DefaultUsername)
			}
			fa.ResetLog()
			if tok2, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err != nil || tok2.Token != tok.Token {
				t.Errorf("second GetToken = %v; want the cached token", err)
			}
			if n := len(fa.Requests()); n != 0 {
				t.Errorf("second GetToken made %d requests, want 0", n)
			}
		})
	}
}

// checkBrowserRedemption: the authorize request came from Chromium, not
// from our HTTP client (RFC 8252 section 8.12), and exactly one code
// was redeemed, with the verifier of that request's challenge.
func checkBrowserRedemption(t *testing.T, fa *fakeauthority.Authority, mode string) {
	t.Helper()
	auths := fa.RequestsTo(fakeauthority.EndpointAuthorize)
	if len(auths) != 1 {
		t.Fatalf("%d authorize requests, want 1", len(auths))
	}
	if ua := auths[0].Header.Get("User-Agent"); !strings.Contains(ua, "Chrome") {
		t.Errorf("authorize request came from %q, not the browser", ua)
	}
	if got := auths[0].Params.Get("response_mode"); got != mode {
		t.Errorf("response_mode = %q, want %q", got, mode)
	}
	var redeems []fakeauthority.Request
	for _, r := range fa.RequestsTo(fakeauthority.EndpointToken) {
		if r.GrantType == "authorization_code" {
			redeems = append(redeems, r)
		}
	}
	if len(redeems) != 1 {
		t.Fatalf("%d code redemptions, want 1", len(redeems))
	}
	if v := redeems[0].Params.Get("code_verifier"); pkce.Challenge(v) != auths[0].Params.Get("code_challenge") {
		t.Error("the redeemed code_verifier does not match the authorize code_challenge")
	}
}
