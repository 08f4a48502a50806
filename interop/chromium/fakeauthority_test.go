package chromium_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// The fake authority's own pages, driven by a real browser: they must
// work for a person, not only for the library's tests.

const (
	fakeScope    = "User.Read openid profile offline_access"
	fakeState    = "st-123"
	fakeVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-fake-verifier"
)

// postJSON sends form to u with fa's client and decodes the JSON answer.
func postJSON(t *testing.T, fa *fakeauthority.Authority, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := fa.Client().PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("POST %s: %d %s: %v", u, resp.StatusCode, b, err)
	}
	return resp.StatusCode, body
}

// TestBrowserSignInFormPost: Chromium loads the sign-in page, a user types
// the password, and the auto-submitting form_post page delivers the code
// to a loopback listener, which the test then redeems.
func TestBrowserSignInFormPost(t *testing.T) {
	chromiumPath(t)
	fa := fakeauthority.Start(t, nil)
	ctx := newChromium(t, serverSPKI(t, fa.TLSClient(), fa.URL()+"/common/discovery/instance"))
	got := make(chan url.Values, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.ParseForm() == nil {
			select {
			case got <- r.PostForm:
			default:
			}
		}
		_, _ = w.Write([]byte(`<p id="app">signed in</p>`))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	redirect := "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	sum := sha256.Sum256([]byte(fakeVerifier))
	q := url.Values{
		"client_id": {fakeauthority.AzureCLIClientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {fakeScope}, "state": {fakeState}, "nonce": {"n-456"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"response_mode": {"form_post"}, "client_info": {"1"},
	}
	tenant := fa.AuthorityURL(fakeauthority.DefaultTenantID)
	step(t, ctx, "sign in on the fake authority's page",
		chromedp.Navigate(tenant+"/oauth2/v2.0/authorize?"+q.Encode()),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), fakeauthority.DefaultUsername),
		chromedp.SendKeys(chromedp.ID("password"), fakeauthority.DefaultPassword),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("app")),
	)
	var form url.Values
	select {
	case form = <-got:
	default:
		t.Fatal("the app page showed, but the listener received no form_post")
	}
	if form.Get("state") != fakeState || form.Get("code") == "" {
		t.Fatalf("listener got %v", form)
	}
	status, body := postJSON(t, fa, tenant+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {fakeauthority.AzureCLIClientID}, "code": {form.Get("code")},
		"redirect_uri": {redirect}, "code_verifier": {fakeVerifier}, "scope": {fakeScope}, "client_info": {"1"},
	})
	if status != 200 {
		t.Errorf("redeem: %d %v", status, body)
	}
}

// TestBrowserDeviceLogin: Chromium types a user code on /devicelogin and
// signs in; the device code is then approved.
func TestBrowserDeviceLogin(t *testing.T) {
	chromiumPath(t)
	fa := fakeauthority.Start(t, nil)
	ctx := newChromium(t, serverSPKI(t, fa.TLSClient(), fa.URL()+"/common/discovery/instance"))
	status, dc := postJSON(t, fa, fa.AuthorityURL("organizations")+"/oauth2/v2.0/devicecode",
		url.Values{"client_id": {fakeauthority.AzureCLIClientID}, "scope": {fakeScope}})
	if status != 200 {
		t.Fatalf("devicecode: %d %v", status, dc)
	}
	step(t, ctx, "device login on the fake authority's page",
		chromedp.Navigate(dc["verification_uri"].(string)),
		chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.SendKeys(chromedp.ID("code"), dc["user_code"].(string)),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("username"), fakeauthority.DefaultUsername),
		chromedp.SendKeys(chromedp.ID("password"), fakeauthority.DefaultPassword),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("done")))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if got := fa.DeviceCodes()[0]; got.State != fakeauthority.DeviceApproved || got.Username != fakeauthority.DefaultUsername {
		t.Errorf("device code %+v after the page said %q", got, done)
	}
}
