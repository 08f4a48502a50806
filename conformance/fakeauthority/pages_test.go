package fakeauthority_test

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestDeviceVerificationPage: a user types the code (a wrong one first),
// signs in on the page, and the device code is approved for them.
func TestDeviceVerificationPage(t *testing.T) {
	fa := fakeauthority.New(nil)
	dc := startDevice(t, fa, "organizations")
	page := dc["verification_uri"].(string)
	c := noRedirect(fa)
	_, html := fetch(t, c, "GET", page, nil)
	if !strings.Contains(html, `id="code"`) || !strings.Contains(html, `id="submit"`) {
		t.Fatalf("code page lacks its inputs: %s", html)
	}
	_, html = fetch(t, c, "POST", page, url.Values{"step": {"code"}, "otc": {"WRONGCODE"}})
	if !strings.Contains(html, "AADSTS70018") {
		t.Errorf("a wrong code is not refused with AADSTS70018")
	}
	_, html = fetch(t, c, "POST", page, url.Values{"step": {"code"}, "otc": {strings.ToLower(dc["user_code"].(string))}})
	if !strings.Contains(html, `id="password"`) {
		t.Fatalf("no sign-in form after a right code: %s", html)
	}
	form := hiddenFields(html)
	form.Set("username", fakeauthority.DefaultUsername)
	form.Set("password", fakeauthority.DefaultPassword)
	form.Set("consent", "yes")
	_, html = fetch(t, c, "POST", page, form)
	if !strings.Contains(html, `id="done"`) {
		t.Fatalf("no confirmation: %s", html)
	}
	status, body := post(t, fa, fa.AuthorityURL("organizations")+"/oauth2/v2.0/token", pollForm(dc["device_code"].(string), "device_code"))
	if status != 200 {
		t.Errorf("poll after approval on the page: %d %v", status, body)
	}
	if got := fa.DeviceCodes()[0]; got.State != fakeauthority.DeviceRedeemed || got.Username != fakeauthority.DefaultUsername {
		t.Errorf("device code %+v", got)
	}
}

func TestDevicePageCancel(t *testing.T) {
	fa := fakeauthority.New(nil)
	dc := startDevice(t, fa, fakeauthority.DefaultTenantID)
	form := url.Values{"step": {"signin"}, "otc": {dc["user_code"].(string)}, "action": {"cancel"}}
	fetch(t, noRedirect(fa), "POST", dc["verification_uri"].(string), form)
	status, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", pollForm(dc["device_code"].(string), "device_code"))
	wantError(t, status, body, 400, "authorization_declined", 70000)
}

func TestLogout(t *testing.T) {
	fa := fakeauthority.New(nil)
	c := noRedirect(fa)
	base := tenantURL(fa) + "/oauth2/v2.0/logout?"
	resp, _ := fetch(t, c, "GET", base+url.Values{"post_logout_redirect_uri": {"http://localhost:9000"}, "state": {"s1"}}.Encode(), nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://localhost:9000?state=s1" {
		t.Errorf("registered URI: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, html := fetch(t, c, "GET", base+url.Values{"post_logout_redirect_uri": {"https://evil.example/"}}.Encode(), nil)
	if resp.StatusCode != 200 || !strings.Contains(html, `id="signedout"`) {
		t.Errorf("unregistered URI was followed: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if fa.Count(fakeauthority.EndpointLogout) != 2 {
		t.Errorf("logout counter %d", fa.Count(fakeauthority.EndpointLogout))
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	fa := fakeauthority.New(nil)
	resp, _ := fetch(t, fa.Client(), "GET", fa.URL()+"/nothing/here", nil)
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
	status, body := get(t, fa, tenantURL(fa)+"/oauth2/v2.0/token")
	wantError(t, status, body, 400, "invalid_request", 9002313)
	if r := fa.Requests(); len(r) != 2 || r[0].Endpoint != "" || r[1].Endpoint != fakeauthority.EndpointToken {
		t.Errorf("request log %+v", r)
	}
}

// TestRequestLog: grant type, parameters and headers are logged.
func TestRequestLog(t *testing.T) {
	fa := fakeauthority.New(nil)
	req, _ := newFormRequest(t.Context(), tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read"))
	req.Header.Set("client-request-id", "corr-1")
	resp, err := fa.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r := fa.RequestsTo(fakeauthority.EndpointToken)
	if len(r) != 1 || r[0].GrantType != "password" || r[0].Params.Get("client_info") != "1" || r[0].Header.Get("client-request-id") != "corr-1" || r[0].Tenant != fakeauthority.DefaultTenantID || r[0].Method != "POST" {
		t.Fatalf("log %+v", r)
	}
	fa.ResetLog()
	if len(fa.Requests()) != 0 || fa.Count(fakeauthority.EndpointToken) != 0 || len(fa.Counts()) != 0 {
		t.Error("ResetLog left entries")
	}
}

// TestClientReachesLoopbackRedirect: following the authorize redirect with
// the in-memory client lands on a real loopback listener.
func TestClientReachesLoopbackRedirect(t *testing.T) {
	got := make(chan url.Values, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query()
		w.WriteHeader(http.StatusNoContent)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	redirect := "http://127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	resp, err := fa.Client().Get(tenantURL(fa) + "/oauth2/v2.0/authorize?" + authorizeQuery(redirect, "query").Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q := <-got
	if resp.StatusCode != http.StatusNoContent || q.Get("code") == "" || q.Get("state") != "st-123" {
		t.Errorf("listener got %v, status %d", q, resp.StatusCode)
	}
}
