package fakebroker

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestNowDatesExpiresOn: the broker dates expiresOn from Options.Now, so
// a test whose authority keeps another clock gets consistent answers.
func TestNowDatesExpiresOn(t *testing.T) {
	at := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	fa := fakeauthority.New(&fakeauthority.Options{Now: func() time.Time { return at }, AccessTokenLifetime: time.Hour})
	b := New(&Options{HTTPClient: fa.Client(), Now: func() time.Time { return at }})
	out, derr := (&object{b: b}).AcquireTokenInteractively("0.0", "corr-1", `{"authParameters":{"clientId":"`+
		fakeauthority.AzureCLIClientID+`","authority":"https://login.microsoftonline.com/common",`+
		`"redirectUri":"https://login.microsoftonline.com/common/oauth2/nativeclient","requestedScopes":["https://graph.microsoft.com/.default"],"authorizationType":6}}`)
	if derr != nil {
		t.Fatal(derr)
	}
	var resp struct {
		BTR struct {
			ExpiresOn int64 `json:"expiresOn"`
		} `json:"brokerTokenResponse"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatal(err)
	}
	if want := at.Add(time.Hour).UnixMilli(); resp.BTR.ExpiresOn != want {
		t.Fatalf("expiresOn %d, want %d (Options.Now + one hour): %s", resp.BTR.ExpiresOn, want, out)
	}
}
