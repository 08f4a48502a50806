package fakeauthority_test

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-fake-verifier"

func challenge(v string) string {
	s := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// authorizeQuery is a valid authorize request for the default client.
func authorizeQuery(redirect, mode string) url.Values {
	return url.Values{
		"client_id": {fakeauthority.AzureCLIClientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {"User.Read openid profile offline_access"}, "state": {"st-123"}, "nonce": {"n-456"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}, "response_mode": {mode},
		"client_info": {"1"},
	}
}

// noRedirect is fa's client without redirect following.
func noRedirect(fa *fakeauthority.Authority) *http.Client {
	c := *fa.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// hiddenFields reads the hidden inputs of a page.
func hiddenFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(page, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// redeem redeems code with the token endpoint.
func redeem(t *testing.T, fa *fakeauthority.Authority, code, redirect, verifier string) (int, map[string]any) {
	t.Helper()
	return post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {fakeauthority.AzureCLIClientID}, "code": {code},
		"redirect_uri": {redirect}, "code_verifier": {verifier}, "scope": {"User.Read openid profile offline_access"},
		"client_info": {"1"},
	})
}

// TestSignInPageQueryMode completes the HTML sign-in page as a browser
// would (wrong password first), receives the code by a query redirect on
// a localhost port that differs from the registration, and redeems it.
func TestSignInPageQueryMode(t *testing.T) {
	fa := fakeauthority.New(nil)
	c := noRedirect(fa)
	redirect := "http://localhost:53117"
	_, page := fetch(t, c, "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+authorizeQuery(redirect, "query").Encode(), nil)
	for _, id := range []string{`id="username"`, `id="password"`, `id="consent"`, `id="submit"`, `id="cancel"`} {
		if !strings.Contains(page, id) {
			t.Errorf("sign-in page lacks %s", id)
		}
	}
	form := hiddenFields(page)
	form.Set("username", fakeauthority.DefaultUsername)
	form.Set("password", "wrong")
	form.Set("consent", "yes")
	_, page = fetch(t, c, "POST", tenantURL(fa)+"/login", form)
	if !strings.Contains(page, `id="error"`) || !strings.Contains(page, "AADSTS50126") {
		t.Fatalf("wrong password: page shows no AADSTS50126 error")
	}
	form = hiddenFields(page)
	form.Set("username", fakeauthority.DefaultUsername)
	form.Set("password", fakeauthority.DefaultPassword)
	form.Set("consent", "yes")
	resp, _ := fetch(t, c, "POST", tenantURL(fa)+"/login", form)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Host != "localhost:53117" {
		t.Fatalf("status %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("state") != "st-123" || q.Get("code") == "" || q.Get("client_info") == "" || q.Get("session_state") == "" {
		t.Fatalf("redirect query %v", q)
	}
	status, body := redeem(t, fa, q.Get("code"), redirect, verifier)
	if status != 200 {
		t.Fatalf("redeem: %d %v", status, body)
	}
	if n := claims(t, body["id_token"].(string))["nonce"]; n != "n-456" {
		t.Errorf("id_token nonce %v, want n-456", n)
	}
	status, body = redeem(t, fa, q.Get("code"), redirect, verifier)
	wantError(t, status, body, 400, "invalid_grant", 54005)
	if got := fa.RequestsTo(fakeauthority.EndpointAuthorize)[0].PKCEMethod; got != "S256" {
		t.Errorf("request log PKCEMethod = %q", got)
	}
}

// TestFormPostAutoApprove checks response_mode=form_post: an
// auto-submitting form aimed at the redirect URI, carrying code and state.
func TestFormPostAutoApprove(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	q := authorizeQuery("http://localhost:40000", "form_post")
	q.Set("login_hint", fakeauthority.SecondTenantUsername)
	resp, page := fetch(t, noRedirect(fa), "GET", fa.AuthorityURL("organizations")+"/oauth2/v2.0/authorize?"+q.Encode(), nil)
	if resp.StatusCode != 200 || !strings.Contains(page, `action="http://localhost:40000"`) || !strings.Contains(page, "submit()") {
		t.Fatalf("form_post page (status %d): %s", resp.StatusCode, page)
	}
	f := hiddenFields(page)
	if f.Get("state") != "st-123" || f.Get("code") == "" {
		t.Fatalf("form fields %v", f)
	}
	status, body := post(t, fa, fa.AuthorityURL("organizations")+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {fakeauthority.AzureCLIClientID}, "code": {f.Get("code")},
		"redirect_uri": {"http://localhost:40000"}, "code_verifier": {verifier}, "scope": {"openid"},
	})
	if status != 200 {
		t.Fatalf("redeem: %d %v", status, body)
	}
	if u := claims(t, body["id_token"].(string))["preferred_username"]; u != fakeauthority.SecondTenantUsername {
		t.Errorf("auto-approve signed in %v, want the login_hint user", u)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(url.Values)
		page     string // AADSTS shown on an error page (no redirect)
		redirect string // "error" sent to the redirect URI
	}{
		{"unknown client", func(q url.Values) { q.Set("client_id", "00000000-0000-0000-0000-000000000009") }, "AADSTS700016", ""},
		{"unregistered redirect", func(q url.Values) { q.Set("redirect_uri", "http://evil.example/cb") }, "AADSTS50011", ""},
		{"loopback path differs", func(q url.Values) { q.Set("redirect_uri", "http://localhost:5000/other") }, "AADSTS50011", ""},
		{"https localhost not registered", func(q url.Values) { q.Set("redirect_uri", "https://localhost:5000") }, "AADSTS50011", ""},
		{"no PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "", "invalid_request"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, "", "invalid_request"},
		{"token response type", func(q url.Values) { q.Set("response_type", "token") }, "", "unsupported_response_type"},
		{"prompt none without session", func(q url.Values) { q.Set("prompt", "none") }, "", "login_required"},
		{"unknown resource", func(q url.Values) { q.Set("scope", "api://nothing/.default") }, "", "invalid_resource"},
	}
	fa := fakeauthority.New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authorizeQuery("http://localhost:5000", "query")
			tt.edit(q)
			resp, page := fetch(t, noRedirect(fa), "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+q.Encode(), nil)
			if tt.page != "" {
				if resp.StatusCode != 400 || !strings.Contains(page, tt.page) || resp.Header.Get("Location") != "" {
					t.Errorf("status %d Location %q; want an error page with %s", resp.StatusCode, resp.Header.Get("Location"), tt.page)
				}
				return
			}
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != 302 || loc.Query().Get("error") != tt.redirect || loc.Query().Get("state") != "st-123" {
				t.Errorf("status %d Location %q; want error=%s with state", resp.StatusCode, resp.Header.Get("Location"), tt.redirect)
			}
			if d := loc.Query().Get("error_description"); !strings.HasPrefix(d, "AADSTS") {
				t.Errorf("error_description %q", d)
			}
		})
	}
}

func TestCancelAndDeclineConsent(t *testing.T) {
	for _, field := range []string{"action=cancel", "consent unticked"} {
		t.Run(field, func(t *testing.T) {
			fa := fakeauthority.New(nil)
			c := noRedirect(fa)
			_, page := fetch(t, c, "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+authorizeQuery("http://localhost:1", "query").Encode(), nil)
			form := hiddenFields(page)
			form.Set("username", fakeauthority.DefaultUsername)
			form.Set("password", fakeauthority.DefaultPassword)
			if field == "action=cancel" {
				form.Set("action", "cancel")
				form.Set("consent", "yes")
			}
			resp, _ := fetch(t, c, "POST", tenantURL(fa)+"/login", form)
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if q := loc.Query(); q.Get("error") != "access_denied" || q.Get("error_subcode") != "cancel" || !strings.HasPrefix(q.Get("error_description"), "AADSTS65004") {
				t.Errorf("redirect %v", q)
			}
		})
	}
}

func TestCodeRedemptionErrors(t *testing.T) {
	tests := []struct {
		name     string
		redirect string
		verifier string
		advance  bool
		code     int
	}{
		{"wrong verifier", "http://localhost:7", strings.Repeat("a", 43), false, 501481},
		{"missing verifier", "http://localhost:7", "", false, 501481},
		{"other redirect", "http://localhost:8/x", verifier, false, 500112},
		{"expired", "http://localhost:7", verifier, true, 70008},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
			resp, _ := fetch(t, noRedirect(fa), "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+authorizeQuery("http://localhost:7", "").Encode(), nil)
			loc, _ := url.Parse(resp.Header.Get("Location"))
			code := loc.Query().Get("code")
			if tt.advance {
				fa.Advance(11 * 60e9)
			}
			status, body := redeem(t, fa, code, tt.redirect, tt.verifier)
			wantError(t, status, body, 400, "invalid_grant", tt.code)
			// The code is burnt by the failed attempt.
			status, body = redeem(t, fa, code, "http://localhost:7", verifier)
			wantError(t, status, body, 400, "invalid_grant", 54005)
		})
	}
}

// TestAuthorizeFaultRedirects: an AADSTS fault on /authorize reaches the
// redirect URI as Entra reports sign-in errors, with state.
func TestAuthorizeFaultRedirects(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	fa.InjectFault(fakeauthority.EndpointAuthorize, fakeauthority.Fault{AADSTS: 50076, Error: "interaction_required"})
	resp, _ := fetch(t, noRedirect(fa), "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+authorizeQuery("http://localhost:9", "query").Encode(), nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	if resp.StatusCode != 302 || q.Get("error") != "interaction_required" || !strings.HasPrefix(q.Get("error_description"), "AADSTS50076") || q.Get("state") != "st-123" {
		t.Errorf("status %d redirect %v", resp.StatusCode, q)
	}
	fa.InjectFault(fakeauthority.EndpointAuthorize, fakeauthority.AADSTSError(50076))
	bad := authorizeQuery("http://evil.example/", "query")
	resp, page := fetch(t, noRedirect(fa), "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+bad.Encode(), nil)
	if resp.StatusCode != 400 || resp.Header.Get("Location") != "" || !strings.Contains(page, "AADSTS50076") {
		t.Errorf("fault with an unregistered redirect URI: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestBrowserSessionPromptNone: after an interactive sign-in, prompt=none
// succeeds silently in the same browser (cookie jar), is refused for
// another login_hint, and fails again after logout.
func TestBrowserSessionPromptNone(t *testing.T) {
	fa := fakeauthority.New(nil)
	c := noRedirect(fa)
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	_, page := fetch(t, c, "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+authorizeQuery("http://localhost:1", "query").Encode(), nil)
	form := hiddenFields(page)
	form.Set("username", fakeauthority.DefaultUsername)
	form.Set("password", fakeauthority.DefaultPassword)
	form.Set("consent", "yes")
	fetch(t, c, "POST", tenantURL(fa)+"/login", form)

	silent := func(hint string) url.Values {
		q := authorizeQuery("http://localhost:1", "query")
		q.Set("prompt", "none")
		if hint != "" {
			q.Set("login_hint", hint)
		}
		resp, _ := fetch(t, c, "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+q.Encode(), nil)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc.Query()
	}
	if q := silent(""); q.Get("code") == "" {
		t.Errorf("prompt=none with a session: %v", q)
	}
	if q := silent(fakeauthority.MFAUsername); q.Get("error") != "login_required" {
		t.Errorf("prompt=none for another user: %v", q)
	}
	fetch(t, c, "GET", tenantURL(fa)+"/oauth2/v2.0/logout", nil)
	if q := silent(""); q.Get("error") != "login_required" {
		t.Errorf("prompt=none after logout: %v", q)
	}
}

func TestRedirectHook(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	fa.SetRedirectHook(func(p url.Values) {
		p.Set("state", "forged")
		p.Set("iss", "https://evil.example/v2.0")
	})
	resp, _ := fetch(t, noRedirect(fa), "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+authorizeQuery("http://localhost:1", "query").Encode(), nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if q := loc.Query(); q.Get("state") != "forged" || q.Get("iss") == "" || q.Get("code") == "" {
		t.Errorf("hooked redirect %v", q)
	}
}

// TestAuthorizeAcceptsHintsAndClaims: prompt, login_hint (prefilled),
// domain_hint and a claims request are accepted.
func TestAuthorizeAcceptsHintsAndClaims(t *testing.T) {
	fa := fakeauthority.New(nil)
	for _, prompt := range []string{"login", "consent", "select_account", "create", ""} {
		q := authorizeQuery("http://localhost:1", "form_post")
		q.Set("prompt", prompt)
		q.Set("login_hint", fakeauthority.DefaultUsername)
		q.Set("domain_hint", "organizations")
		q.Set("claims", `{"access_token":{"xms_cc":{"values":["cp1"]}}}`)
		resp, page := fetch(t, noRedirect(fa), "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+q.Encode(), nil)
		if resp.StatusCode != 200 || !strings.Contains(page, `value="`+fakeauthority.DefaultUsername+`"`) {
			t.Errorf("prompt %q: status %d, sign-in page without the login_hint prefilled", prompt, resp.StatusCode)
		}
	}
	q := authorizeQuery("http://localhost:1", "query")
	q.Set("prompt", "bogus")
	resp, _ := fetch(t, noRedirect(fa), "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+q.Encode(), nil)
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc.Query().Get("error") != "invalid_request" {
		t.Errorf("unknown prompt: %q", resp.Header.Get("Location"))
	}
}

// TestCodeBoundToClient: another client cannot redeem the code, and its
// attempt does not burn the code for the right client.
func TestCodeBoundToClient(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	resp, _ := fetch(t, noRedirect(fa), "GET", tenantURL(fa)+"/oauth2/v2.0/authorize?"+authorizeQuery("http://localhost:7", "").Encode(), nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	status, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {fakeauthority.AzurePowerShellClientID}, "code": {code},
		"redirect_uri": {"http://localhost:7"}, "code_verifier": {verifier},
	})
	wantError(t, status, body, 400, "invalid_grant", 70000)
	if status, body := redeem(t, fa, code, "http://localhost:7", verifier); status != 200 {
		t.Errorf("right client after a wrong one: %d %v", status, body)
	}
}
