package loopback_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/pkce"
)

var (
	formRE   = regexp.MustCompile(`(?is)<form[^>]*\baction="([^"]*)"`)
	hiddenRE = regexp.MustCompile(`(?is)<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// noFollow is a client for the authority's in-memory handler that shows
// redirects instead of following them.
func noFollow(authority *http.Client) *http.Client {
	return &http.Client{Transport: authority.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// formOf extracts a page's form: its action and hidden fields.
func formOf(body []byte) (string, url.Values, bool) {
	m := formRE.FindSubmatch(body)
	if m == nil {
		return "", nil, false
	}
	form := url.Values{}
	for _, h := range hiddenRE.FindAllSubmatch(body, -1) {
		form.Set(html.UnescapeString(string(h[1])), html.UnescapeString(string(h[2])))
	}
	return html.UnescapeString(string(m[1])), form, true
}

// stubBrowser plays the user's browser against an authority's in-memory
// handler (a "browser stub"): it GETs the authorize
// URL through authority (which must auto-approve), then follows the
// answer to our listener.
func stubBrowser(authority *http.Client, times int) func(context.Context, string) error {
	return func(ctx context.Context, authURL string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
		if err != nil {
			return err
		}
		resp, err := noFollow(authority).Do(req)
		if err != nil {
			return err
		}
		return followToListener(ctx, resp, times)
	}
}

// followToListener takes the authority's answer to our listener with a
// plain client, as a browser would: a 302 (query mode) is followed, the
// auto-posting form (form_post) is submitted; times > 1 repeats it (a
// reload), and later deliveries may find the listener closed.
func followToListener(ctx context.Context, resp *http.Response, times int) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	var method, target string
	var form url.Values
	if resp.StatusCode == http.StatusFound {
		method, target = http.MethodGet, resp.Header.Get("Location")
	} else if action, f, ok := formOf(body); ok {
		method, target, form = http.MethodPost, action, f
	} else {
		return fmt.Errorf("authority answered %d: %.200s", resp.StatusCode, body)
	}
	for i := range times {
		req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := plain.Do(req)
		if err != nil {
			if i > 0 {
				continue
			}
			return err
		}
		resp.Body.Close()
	}
	return nil
}

func TestSignInEndToEnd(t *testing.T) {
	for _, mode := range []string{loopback.ResponseModeFormPost, loopback.ResponseModeQuery} {
		t.Run(mode, func(t *testing.T) {
			fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
			tc := cache.New(nil, nil)
			cred := newCredential(t, fa, func(o *loopback.Options) {
				o.ResponseMode = mode
				o.Cache = tc
				o.OpenURL = stubBrowser(fa.Client(), 2) // the browser delivers twice (a reload)
			})
			tok, err := cred.GetToken(context.Background(), graph)
			if err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			if tok.Token == "" || !tok.ExpiresOn.After(time.Now()) {
				t.Fatalf("token = %+v", tok)
			}
			checkCodeRedemption(t, fa, mode)
			accts := tc.Accounts(fakeauthority.DefaultHost, fakeauthority.AzureCLIClientID)
			if len(accts) != 1 || !strings.EqualFold(accts[0].Username, fakeauthority.DefaultUsername) {
				t.Errorf("cached accounts = %+v, want %s", accts, fakeauthority.DefaultUsername)
			}
			// The next call is served from the cache: no browser, no request.
			fa.ResetLog()
			tok2, err := cred.GetToken(context.Background(), graph)
			if err != nil || tok2.Token != tok.Token {
				t.Fatalf("second GetToken = %v, %v; want the cached token", tok2, err)
			}
			if n := len(fa.Requests()); n != 0 {
				t.Errorf("second GetToken made %d requests, want 0", n)
			}
		})
	}
}

// checkCodeRedemption checks the one code redemption against the one
// authorize request: S256 verifier, same redirect URI, nonce sent.
func checkCodeRedemption(t *testing.T, fa *fakeauthority.Authority, mode string) {
	t.Helper()
	auths := fa.RequestsTo(fakeauthority.EndpointAuthorize)
	var redeems []fakeauthority.Request
	for _, r := range fa.RequestsTo(fakeauthority.EndpointToken) {
		if r.GrantType == "authorization_code" {
			redeems = append(redeems, r)
		}
	}
	if len(auths) != 1 || len(redeems) != 1 {
		t.Fatalf("%d authorize requests and %d code redemptions, want 1 and 1", len(auths), len(redeems))
	}
	a, r := auths[0].Params, redeems[0].Params
	if a.Get("response_mode") != mode || a.Get("nonce") == "" {
		t.Errorf("authorize response_mode %q nonce %q", a.Get("response_mode"), a.Get("nonce"))
	}
	if err := pkce.Validate(r.Get("code_verifier")); err != nil || pkce.Challenge(r.Get("code_verifier")) != a.Get("code_challenge") {
		t.Errorf("code_verifier does not match the S256 code_challenge (%v)", err)
	}
	if r.Get("redirect_uri") != a.Get("redirect_uri") {
		t.Errorf("redeemed with redirect_uri %q, authorized with %q", r.Get("redirect_uri"), a.Get("redirect_uri"))
	}
}

func TestAuthenticateReturnsRecord(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	tc := cache.New(nil, nil)
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.Cache = tc
		o.OpenURL = stubBrowser(fa.Client(), 1)
	})
	rec, err := cred.Authenticate(context.Background(), graph)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if !strings.EqualFold(rec.Username, fakeauthority.DefaultUsername) || rec.HomeAccountID == "" || rec.ClientID != fakeauthority.AzureCLIClientID {
		t.Fatalf("record = %+v", rec)
	}
	// A new credential with the record and the cache signs in silently
	// and is not allowed to open a browser.
	silent := newCredential(t, fa, func(o *loopback.Options) {
		o.Cache = tc
		o.AuthenticationRecord = rec
		o.DisableAutomaticAuthentication = true
		o.OpenURL = func(context.Context, string) error { t.Error("browser opened"); return nil }
	})
	if _, err := silent.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://management.azure.com/.default"}}); err != nil {
		t.Fatalf("silent GetToken with the record: %v", err)
	}
}

func TestIDTokenNonceChecked(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	fa.Misbehave(fakeauthority.MisbehaveWrongNonce)
	tc := cache.New(nil, nil)
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.Cache = tc
		o.OpenURL = stubBrowser(fa.Client(), 1)
	})
	_, err := cred.GetToken(context.Background(), graph)
	if !errors.Is(err, oauth.ErrInvalidIDToken) {
		t.Fatalf("GetToken = %v, want ErrInvalidIDToken for a wrong nonce", err)
	}
	if n := tc.Len(); n.AccessTokens != 0 || n.RefreshTokens != 0 {
		t.Errorf("tokens with a bad ID token were cached: %+v", n)
	}
}

func TestSignInPageCancel(t *testing.T) {
	// Without auto-approve the authority shows its sign-in page; the
	// user presses Cancel, and Entra sends access_denied back.
	fa := fakeauthority.New(nil)
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.OpenURL = func(ctx context.Context, authURL string) error {
			page, err := fa.Client().Get(authURL)
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(page.Body)
			page.Body.Close()
			action, form, ok := formOf(body)
			if !ok {
				return fmt.Errorf("no sign-in form in %.200s", body)
			}
			form.Set("action", "cancel")
			resp, err := noFollow(fa.Client()).PostForm(action, form)
			if err != nil {
				return err
			}
			return followToListener(ctx, resp, 1)
		}
	})
	_, err := cred.GetToken(context.Background(), graph)
	var oe *oauth.Error
	if !errors.As(err, &oe) || !errors.Is(err, oauth.ErrDeclined) || oe.SubError != "cancel" {
		t.Fatalf("GetToken = %v, want access_denied with error_subcode cancel", err)
	}
}

func TestForgedCodeThenRealSignIn(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	browser := stubBrowser(fa.Client(), 1)
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.OpenURL = func(ctx context.Context, u string) error {
			// Another local process races the browser with its own code.
			for _, f := range []url.Values{
				{"code": {"ATTACKER-CODE"}, "state": {"guessed"}},
				{"code": {"ATTACKER-CODE"}},
				{"error": {"access_denied"}},
			} {
				if st, err := deliver(ctx, u, f); err != nil || st != http.StatusBadRequest {
					return fmt.Errorf("forged response answered %d, %v", st, err)
				}
			}
			return browser(ctx, u)
		}
	})
	if _, err := cred.GetToken(context.Background(), graph); err != nil {
		t.Fatalf("GetToken after forged responses: %v", err)
	}
	for _, r := range fa.RequestsTo(fakeauthority.EndpointToken) {
		if r.Params.Get("code") == "ATTACKER-CODE" {
			t.Error("the forged code was redeemed")
		}
	}
	checkCodeRedemption(t, fa, loopback.ResponseModeFormPost)
}
