package fakeauthority_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestStateRoundTrip: keys, directory changes, refresh tokens and pending
// device codes survive MarshalState and Options.State.
func TestStateRoundTrip(t *testing.T) {
	fa := fakeauthority.New(nil)
	fa.Directory().AddUser(fakeauthority.User{Username: "carol@contoso.onmicrosoft.com", Password: "pw", ObjectID: "c0c0c0c0-0000-4000-8000-000000000000"})
	fa.RotateKey()
	_, tokens := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read offline_access"))
	dc := startDevice(t, fa, fakeauthority.DefaultTenantID)
	state, err := fa.MarshalState()
	if err != nil {
		t.Fatal(err)
	}

	again := fakeauthority.New(&fakeauthority.Options{State: state})
	if got, want := again.KeyIDs(), fa.KeyIDs(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("kids %v, want %v", got, want)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {fakeauthority.AzureCLIClientID},
		"refresh_token": {tokens["refresh_token"].(string)}, "scope": {"User.Read openid"}}
	status, body := post(t, again, tenantURL(again)+"/oauth2/v2.0/token", refresh)
	if status != 200 {
		t.Fatalf("refresh with a restored token: %d %v", status, body)
	}
	if !verifies(t, again, body["id_token"].(string)) {
		t.Error("token of the restored key does not verify")
	}
	if err := again.ApproveDevice(dc["user_code"].(string), "carol@contoso.onmicrosoft.com"); err != nil {
		t.Fatalf("restored device code or user: %v", err)
	}
	status, body = post(t, again, tenantURL(again)+"/oauth2/v2.0/token", pollForm(dc["device_code"].(string), "device_code"))
	if status != 200 || claims(t, body["id_token"].(string))["preferred_username"] != "carol@contoso.onmicrosoft.com" {
		t.Errorf("device code after restore: %d %v", status, body)
	}
}

func TestBadStatePanics(t *testing.T) {
	for _, s := range []string{"not json", `{"version":99}`, `{"version":1,"keys":[]}`, `{"version":1,"keys":[{"kid":"k","pkcs8":"AAAA"}]}`} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New with state %q did not panic", s)
				}
			}()
			fakeauthority.New(&fakeauthority.Options{State: []byte(s)})
		}()
	}
}

// TestStateDropsExpired: expired refresh tokens and device codes are not
// carried into the saved state.
func TestStateDropsExpired(t *testing.T) {
	fa := fakeauthority.New(nil)
	_, tokens := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read offline_access"))
	startDevice(t, fa, fakeauthority.DefaultTenantID)
	fa.Advance(91 * 24 * time.Hour)
	state, err := fa.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(state), tokens["refresh_token"].(string)) || strings.Contains(string(state), "fake.dc.") {
		t.Error("expired refresh token or device code saved")
	}
}
