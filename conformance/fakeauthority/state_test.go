package fakeauthority_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
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

// TestRestore: a state that cannot be restored is an error that errors.Is
// ErrBadState (never a panic), for each way a file can go bad; a good one
// gives the saved authority, whatever opts.State says.
func TestRestore(t *testing.T) {
	fa := fakeauthority.New(nil)
	good, err := fa.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	withKey := func(der []byte) string {
		return `{"version":1,"keys":[{"kid":"k1","pkcs8":"` + base64.StdEncoding.EncodeToString(der) + `"}]}`
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallDER, _ := x509.MarshalPKCS8PrivateKey(small)
	rsaDER := func() []byte { // the saved authority's own key
		var s struct{ Keys []struct{ PKCS8 []byte } }
		if err := json.Unmarshal(good, &s); err != nil || len(s.Keys) == 0 {
			t.Fatalf("saved state: %v", err)
		}
		return s.Keys[0].PKCS8
	}()
	tests := []struct {
		name, state, want string
	}{
		{"empty", "", "empty"},
		{"blank", " \n\t", "empty"},
		{"truncated", string(good[:len(good)/2]), "unexpected end of JSON input"},
		{"truncated to one byte", "{", "unexpected end of JSON input"},
		{"not JSON", "not json", "invalid character"},
		{"JSON null", "null", "state version 0"},
		{"array instead of object", `[1,2]`, "cannot unmarshal array"},
		{"version is a string", `{"version":"1"}`, "cannot unmarshal string"},
		{"keys is a string", `{"version":1,"keys":"k1"}`, "cannot unmarshal string"},
		{"refresh tokens is a list", `{"version":1,"refresh_tokens":[]}`, "cannot unmarshal array"},
		{"users is a number", `{"version":1,"users":7}`, "cannot unmarshal number"},
		{"wrong version", `{"version":99}`, "state version 99, want 1"},
		{"older version with keys", strings.Replace(string(good), `"version": 1`, `"version": 0`, 1), "state version 0, want 1"},
		{"no keys", `{"version":1,"keys":[]}`, "no signing key"},
		{"key not PKCS#8", `{"version":1,"keys":[{"kid":"k","pkcs8":"AAAA"}]}`, `state key "k"`},
		{"key not base64", `{"version":1,"keys":[{"kid":"k","pkcs8":"!!"}]}`, "illegal base64"},
		{"EC key", withKey(ecDER), "not an RSA key"},
		{"RSA key too small", withKey(smallDER), "1024 bits"},
		{"key without kid", strings.Replace(withKey(rsaDER), `"kid":"k1"`, `"kid":""`, 1), "not an RSA key with a kid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := fakeauthority.Restore([]byte(tt.state), nil)
			if a != nil || !errors.Is(err, fakeauthority.ErrBadState) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Restore(%.40q) = %v, %v; want ErrBadState mentioning %q", tt.state, a, err, tt.want)
			}
			// Listen reads Options.State the same way, and fails before
			// opening a socket.
			if l, err := fakeauthority.Listen("127.0.0.1:0", &fakeauthority.Options{State: []byte(tt.state)}); tt.state != "" &&
				strings.TrimSpace(tt.state) != "" && (l != nil || !errors.Is(err, fakeauthority.ErrBadState)) {
				t.Errorf("Listen with this state = %v, %v; want ErrBadState", l, err)
			}
		})
	}

	t.Run("good", func(t *testing.T) {
		a, err := fakeauthority.Restore(good, &fakeauthority.Options{State: []byte("ignored"), DeviceInterval: 3 * time.Second})
		if err != nil {
			t.Fatalf("Restore(saved state) error %v", err)
		}
		if got, want := a.KeyIDs(), fa.KeyIDs(); len(got) != 1 || got[0] != want[0] {
			t.Errorf("restored kids %v, want %v", got, want)
		}
		dc := startDevice(t, a, fakeauthority.DefaultTenantID)
		if dc["interval"] != float64(3) {
			t.Errorf("device interval %v, want the 3 s of the options", dc["interval"])
		}
	})
	t.Run("good key with a kid", func(t *testing.T) {
		if _, err := fakeauthority.Restore([]byte(withKey(rsaDER)), nil); err != nil {
			t.Errorf("Restore(one RSA key) error %v", err)
		}
	})
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
