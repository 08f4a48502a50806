package fakeauthority_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// startDevice requests a device code for the default client.
func startDevice(t *testing.T, fa *fakeauthority.Authority, tenant string) map[string]any {
	t.Helper()
	status, body := post(t, fa, fa.AuthorityURL(tenant)+"/oauth2/v2.0/devicecode",
		url.Values{"client_id": {fakeauthority.AzureCLIClientID}, "scope": {"User.Read openid profile offline_access"}})
	if status != 200 {
		t.Fatalf("devicecode: %d %v", status, body)
	}
	return body
}

func pollForm(deviceCode, grantType string) url.Values {
	return url.Values{"grant_type": {grantType}, "client_id": {fakeauthority.AzureCLIClientID}, "device_code": {deviceCode}, "client_info": {"1"}}
}

func TestDeviceCodeResponseShape(t *testing.T) {
	fa := fakeauthority.New(nil)
	dc := startDevice(t, fa, "organizations")
	code, _ := dc["user_code"].(string)
	if len(code) != 9 || strings.ToUpper(code) != code {
		t.Errorf("user_code %q: want 9 upper-case characters", code)
	}
	if dc["expires_in"] != float64(900) || dc["interval"] != float64(5) {
		t.Errorf("expires_in %v interval %v, want 900 and 5", dc["expires_in"], dc["interval"])
	}
	uri, _ := dc["verification_uri"].(string)
	msg, _ := dc["message"].(string)
	if uri != "https://login.microsoftonline.com/devicelogin" || !strings.Contains(msg, uri) || !strings.Contains(msg, code) {
		t.Errorf("verification_uri %q, message %q", uri, msg)
	}
	if _, ok := dc["verification_uri_complete"]; ok {
		t.Error("Entra sends no verification_uri_complete")
	}
}

// TestDevicePollingStates walks a device code through pending, approval
// and redemption, for both grant-type spellings.
func TestDevicePollingStates(t *testing.T) {
	for _, gt := range []string{"device_code", "urn:ietf:params:oauth:grant-type:device_code"} {
		t.Run(gt, func(t *testing.T) {
			fa := fakeauthority.New(nil)
			tok := fa.AuthorityURL("organizations") + "/oauth2/v2.0/token"
			dc := startDevice(t, fa, "organizations")
			form := pollForm(dc["device_code"].(string), gt)
			status, body := post(t, fa, tok, form)
			wantError(t, status, body, 400, "authorization_pending", 70016)
			if err := fa.ApproveDevice(dc["user_code"].(string), fakeauthority.DefaultUsername); err != nil {
				t.Fatal(err)
			}
			status, body = post(t, fa, tok, form)
			if status != 200 || body["access_token"] == nil {
				t.Fatalf("after approval: %d %v", status, body)
			}
			if tid := claims(t, body["id_token"].(string))["tid"]; tid != fakeauthority.DefaultTenantID {
				t.Errorf("tid %v on /organizations, want the user's home tenant", tid)
			}
			status, body = post(t, fa, tok, form)
			wantError(t, status, body, 400, "invalid_grant", 54005)
		})
	}
}

func TestDeviceDeclineExpireUnknown(t *testing.T) {
	fa := fakeauthority.New(nil)
	tok := tenantURL(fa) + "/oauth2/v2.0/token"
	dc := startDevice(t, fa, fakeauthority.DefaultTenantID)
	if err := fa.DeclineDevice(""); err != nil {
		t.Fatal(err)
	}
	status, body := post(t, fa, tok, pollForm(dc["device_code"].(string), "device_code"))
	wantError(t, status, body, 400, "authorization_declined", 70000)

	dc = startDevice(t, fa, fakeauthority.DefaultTenantID)
	fa.Advance(15 * time.Minute)
	status, body = post(t, fa, tok, pollForm(dc["device_code"].(string), "device_code"))
	wantError(t, status, body, 400, "expired_token", 70020)

	status, body = post(t, fa, tok, pollForm("no-such-code", "device_code"))
	wantError(t, status, body, 400, "bad_verification_code", 70000)

	if err := fa.ApproveDevice("NOSUCHCOD", fakeauthority.DefaultUsername); !errors.Is(err, fakeauthority.ErrNoDeviceCode) {
		t.Errorf("ApproveDevice(unknown) = %v, want ErrNoDeviceCode", err)
	}
}

// TestDeviceAutoApproveAndSlowDown runs on the bubble's fake clock: the
// authority's default clock is time.Now, which synctest controls.
func TestDeviceAutoApproveAndSlowDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fa := fakeauthority.New(&fakeauthority.Options{AutoApproveDevice: 12 * time.Second, EnforceDeviceInterval: true})
		tok := tenantURL(fa) + "/oauth2/v2.0/token"
		dc := startDevice(t, fa, fakeauthority.DefaultTenantID)
		form := pollForm(dc["device_code"].(string), "device_code")
		status, body := post(t, fa, tok, form)
		wantError(t, status, body, 400, "authorization_pending", 70016)
		time.Sleep(time.Second)
		status, body = post(t, fa, tok, form)
		if status != 400 || body["error"] != "slow_down" {
			t.Errorf("poll 1s after the last: %d %v, want slow_down", status, body["error"])
		}
		time.Sleep(5 * time.Second)
		status, body = post(t, fa, tok, form)
		wantError(t, status, body, 400, "authorization_pending", 70016)
		time.Sleep(6 * time.Second)
		status, body = post(t, fa, tok, form)
		if status != 200 {
			t.Fatalf("after auto-approval: %d %v", status, body)
		}
		if u := claims(t, body["id_token"].(string))["preferred_username"]; u != fakeauthority.DefaultUsername {
			t.Errorf("auto-approved as %v", u)
		}
	})
}
