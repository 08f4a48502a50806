package chromium_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/pkce"
)

// successTitle is the heading of the loopback listener's success page.
const successTitle = "Signed in"

// TestChromiumHarness proves the harness itself: Chromium loads a page
// from a TLS server it trusts only by key hash, a form is filled in by
// typing, and its POST crosses from https to a loopback listener on
// http://localhost (the shape of Entra's form_post), which takes the code.
func TestChromiumHarness(t *testing.T) {
	const state = "state-0123456789abcdef"
	l, err := loopback.Listen(&loopback.ListenerOptions{State: state})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	page := fmt.Sprintf(`<!DOCTYPE html><html><head><title>harness</title></head><body>
<form id="f" method="post" action="%s">
<input type="hidden" name="state" value="%s">
<input id="code" name="code" type="text">
<button id="go" type="submit">Go</button></form></body></html>`, html.EscapeString(l.RedirectURI()), state)
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
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := l.Wait(wctx)
	if err != nil || resp.Code != "typed-code" {
		t.Fatalf("Wait = %v, %v; want the typed code", resp, err)
	}
	// The browser shows the listener's success page.
	loc := waitLocation(t, ctx, l.RedirectURI())
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || text != successTitle {
		t.Errorf("page at %s shows %q, %v; want %q", loc, text, err, successTitle)
	}
}

// TestRealBrowserSignIn: a real headless Chromium opens the authorize URL
// on the fake authority's TLS socket, the test types the username and
// password into its sign-in page and submits, and the authority's answer
// (the auto-posting form for form_post, a 302 for query) lands on the
// loopback credential's listener, which redeems the code.
func TestRealBrowserSignIn(t *testing.T) {
	for _, mode := range []string{loopback.ResponseModeFormPost, loopback.ResponseModeQuery} {
		t.Run(mode, func(t *testing.T) {
			chromiumPath(t)
			fa := fakeauthority.Start(t, nil)
			browser := newChromium(t, serverSPKI(t, fa.TLSClient(), fa.URL()+"/common/discovery/instance"))
			tc := cache.New(nil, nil)
			var redirectURI string
			cred, err := loopback.New("", &loopback.Options{
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
			// The browser ends on the listener's success page.
			waitLocation(t, browser, redirectURI)
			if h1, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("h1"))); err != nil || h1 != successTitle {
				t.Errorf("browser shows %q (%v), want %q", h1, err, successTitle)
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
// from the library's HTTP client (RFC 8252 section 8.12), and exactly one
// code was redeemed, with the verifier of that request's challenge.
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
