package msalgo

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

var scopes = []string{"https://management.azure.com/.default"}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestUsernamePasswordThenSilent: ROPC (MSAL first asks user realm), then
// AcquireTokenSilent answers from MSAL's cache with no request.
func TestUsernamePasswordThenSilent(t *testing.T) {
	s := newMSAL(t, msalOptions{})
	ctx := ctxFor(t)
	res, err := s.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	if err != nil {
		t.Fatalf("AcquireTokenByUsernamePassword: %v", err)
	}
	if res.Account.PreferredUsername != fakeauthority.DefaultUsername || res.IDToken.TenantID != fakeauthority.DefaultTenantID {
		t.Errorf("account %q tenant %q", res.Account.PreferredUsername, res.IDToken.TenantID)
	}
	if want := fakeauthority.DefaultUserObjectID + "." + fakeauthority.DefaultTenantID; res.Account.HomeAccountID != want {
		t.Errorf("HomeAccountID %q, want %q (from client_info)", res.Account.HomeAccountID, want)
	}
	if s.fa.Count(fakeauthority.EndpointUserRealm) != 1 || s.fa.Count(fakeauthority.EndpointDiscovery) == 0 {
		t.Errorf("counts %v: want one user realm and the tenant discovery", s.fa.Counts())
	}
	tokens := s.fa.Count(fakeauthority.EndpointToken)
	accounts, err := s.client.Accounts(ctx)
	if err != nil || len(accounts) != 1 {
		t.Fatalf("Accounts: %v %v", accounts, err)
	}
	silent, err := s.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(accounts[0]))
	if err != nil {
		t.Fatalf("AcquireTokenSilent: %v", err)
	}
	if silent.AccessToken != res.AccessToken || s.fa.Count(fakeauthority.EndpointToken) != tokens {
		t.Errorf("silent call did not come from the cache (token requests %d -> %d)", tokens, s.fa.Count(fakeauthority.EndpointToken))
	}
	req := s.fa.RequestsTo(fakeauthority.EndpointToken)[0]
	if req.GrantType != "password" || req.Header.Get("x-client-sku") != "MSAL.Go" {
		t.Errorf("logged grant %q sku %q", req.GrantType, req.Header.Get("x-client-sku"))
	}
}

// TestRefreshAfterExpiry: tokens that expire within MSAL's five-minute
// margin are refreshed silently with the refresh token.
func TestRefreshAfterExpiry(t *testing.T) {
	s := newMSAL(t, msalOptions{fake: &fakeauthority.Options{AccessTokenLifetime: 2 * time.Minute}})
	ctx := ctxFor(t)
	first, err := s.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	if err != nil {
		t.Fatal(err)
	}
	silent, err := s.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(first.Account))
	if err != nil {
		t.Fatalf("AcquireTokenSilent: %v", err)
	}
	reqs := s.fa.RequestsTo(fakeauthority.EndpointToken)
	last := reqs[len(reqs)-1]
	if len(reqs) != 2 || last.GrantType != "refresh_token" || last.Params.Get("scope") == "" {
		t.Fatalf("token requests %d, last grant %q scope %q; want a refresh with scope", len(reqs), last.GrantType, last.Params.Get("scope"))
	}
	if silent.AccessToken == first.AccessToken {
		t.Error("silent refresh returned the expired access token")
	}
}

// TestDeviceCode: MSAL's device flow, approved from the test after MSAL
// has polled at least once.
func TestDeviceCode(t *testing.T) {
	s := newMSAL(t, msalOptions{tenant: "organizations"})
	ctx := ctxFor(t)
	dc, err := s.client.AcquireTokenByDeviceCode(ctx, scopes)
	if err != nil {
		t.Fatalf("AcquireTokenByDeviceCode: %v", err)
	}
	if dc.Result.UserCode == "" || !strings.Contains(dc.Result.Message, dc.Result.UserCode) {
		t.Fatalf("device code result %+v", dc.Result)
	}
	go func() {
		for s.fa.Count(fakeauthority.EndpointToken) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		_ = s.fa.ApproveDevice(dc.Result.UserCode, fakeauthority.SecondTenantUsername)
	}()
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		t.Fatalf("AuthenticationResult: %v", err)
	}
	if res.Account.PreferredUsername != fakeauthority.SecondTenantUsername || res.IDToken.TenantID != fakeauthority.SecondTenantID {
		t.Errorf("signed in %q in %q", res.Account.PreferredUsername, res.IDToken.TenantID)
	}
	if g := s.fa.RequestsTo(fakeauthority.EndpointToken)[0].GrantType; g != "device_code" {
		t.Errorf("MSAL Go polled with grant_type %q", g)
	}
}

// TestInjectedAADSTSReachesMSAL: a scripted Entra error arrives in MSAL
// Go's CallErr with the status and the error JSON intact.
func TestInjectedAADSTSReachesMSAL(t *testing.T) {
	s := newMSAL(t, msalOptions{})
	s.fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Fault{AADSTS: 50076, Claims: `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`})
	_, err := s.client.AcquireTokenByUsernamePassword(ctxFor(t), scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	var ce msalerrors.CallErr
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not an MSAL CallErr", err, err)
	}
	if ce.Resp.StatusCode != http.StatusBadRequest || !strings.Contains(err.Error(), "AADSTS50076") {
		t.Errorf("status %d, message %q", ce.Resp.StatusCode, err)
	}
	b, _ := io.ReadAll(ce.Resp.Body)
	var body struct {
		Error    string `json:"error"`
		Codes    []int  `json:"error_codes"`
		SubError string `json:"suberror"`
		Claims   string `json:"claims"`
		Corr     string `json:"correlation_id"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("body: %v", err)
	}
	if body.Error != "invalid_grant" || len(body.Codes) != 1 || body.Codes[0] != 50076 || body.SubError != "basic_action" || !strings.Contains(body.Claims, "acrs") {
		t.Errorf("error body %+v", body)
	}
	if body.Corr != ce.Req.Header.Get("client-request-id") {
		t.Errorf("correlation_id %q does not echo client-request-id %q", body.Corr, ce.Req.Header.Get("client-request-id"))
	}
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// TestInteractiveFormPost: MSAL's interactive flow with its own loopback
// server; WithOpenURL plays the browser: it loads the authorize URL (the
// fake auto-approves) and submits the form_post page to MSAL's listener.
func TestInteractiveFormPost(t *testing.T) {
	s := newMSAL(t, msalOptions{fake: &fakeauthority.Options{AutoApprove: true}})
	browser := func(authURL string) error {
		go func() {
			resp, err := s.fa.TLSClient().Get(authURL)
			if err != nil {
				t.Errorf("authorize: %v", err)
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(string(page))
			if action == nil {
				t.Errorf("no form_post form in %s", page)
				return
			}
			form := url.Values{}
			for _, m := range hiddenRE.FindAllStringSubmatch(string(page), -1) {
				form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
			}
			r, err := http.PostForm(html.UnescapeString(action[1]), form)
			if err != nil {
				t.Errorf("posting to MSAL's redirect listener: %v", err)
				return
			}
			r.Body.Close()
		}()
		return nil
	}
	res, err := s.client.AcquireTokenInteractive(ctxFor(t), scopes, public.WithOpenURL(browser), public.WithLoginHint(fakeauthority.DefaultUsername))
	if err != nil {
		t.Fatalf("AcquireTokenInteractive: %v", err)
	}
	if res.Account.PreferredUsername != fakeauthority.DefaultUsername {
		t.Errorf("signed in %q", res.Account.PreferredUsername)
	}
	az := s.fa.RequestsTo(fakeauthority.EndpointAuthorize)[0]
	if az.Params.Get("response_mode") != "form_post" || az.PKCEMethod != "S256" || az.Params.Get("prompt") != "select_account" {
		t.Errorf("MSAL's authorize request: %v", az.Params)
	}
}
