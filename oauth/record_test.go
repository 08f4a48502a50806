package oauth_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"testing/synctest"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

func TestAuthenticationRecordRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.TenantID = "" }) // organizations
		rec, err := c.Authenticate(context.Background(), oauth.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := oauth.AuthenticationRecord{
			Authority: "https://login.microsoftonline.com", ClientID: oauth.AzureCLIClientID,
			HomeAccountID: fa.DefaultUserObjectID + "." + fa.DefaultTenantID, TenantID: fa.DefaultTenantID,
			Username: fa.DefaultUsername, Version: "1.0",
		}
		if rec != want {
			t.Fatalf("record = %+v\nwant     %+v", rec, want)
		}
		if got := a.RequestsTo(fa.EndpointToken)[0].Params.Get("scope"); got != oauth.DefaultAuthenticateScope+" openid profile offline_access" {
			t.Errorf("default Authenticate scope = %q", got)
		}
		b, _ := json.Marshal(rec)
		var keys map[string]string
		_ = json.Unmarshal(b, &keys)
		wantKeys := []string{"authority", "clientId", "homeAccountId", "tenantId", "username", "version"}
		for _, k := range wantKeys {
			if _, ok := keys[k]; !ok || len(keys) != len(wantKeys) {
				t.Fatalf("record JSON %s lacks azidentity's key %q", b, k)
			}
		}
		// A new credential given the record (and the same cache) is silent.
		var back oauth.AuthenticationRecord
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, rec) {
			t.Fatalf("round trip: %+v, %v", back, err)
		}
		a.ResetLog()
		c2 := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.TenantID, o.AuthenticationRecord, o.Cache = "", back, c.Client().Cache()
			o.DisableAutomaticAuthentication = true
		})
		mustToken(t, c2, oauth.TokenOptions{Scopes: []string{graphScope}})
		if n := a.Count(fa.EndpointUserRealm); n != 0 {
			t.Errorf("the record's account signed in again")
		}
		// azure-identity (Python) writes a host-only authority.
		py := `{"authority":"login.microsoftonline.com","clientId":"` + oauth.AzureCLIClientID + `","homeAccountId":"` +
			rec.HomeAccountID + `","tenantId":"` + fa.DefaultTenantID + `","username":"` + fa.DefaultUsername + `","version":"1.0"}`
		var pyRec oauth.AuthenticationRecord
		if err := json.Unmarshal([]byte(py), &pyRec); err != nil {
			t.Fatal(err)
		}
		a.ResetLog()
		c3, err := oauth.NewClient("", &oauth.ClientOptions{HTTPClient: a.Client(), AuthenticationRecord: pyRec, Cache: c.Client().Cache()})
		if err != nil {
			t.Fatal(err)
		}
		if c3.Authority().String() != "https://login.microsoftonline.com/"+fa.DefaultTenantID {
			t.Errorf("authority from a host-only record = %s", c3.Authority())
		}
		if _, err := c3.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{graphScope}}, nil); err != nil {
			t.Errorf("silent with azure-identity's record: %v", err)
		}
	})
}

func TestRecordForAnotherClient(t *testing.T) {
	_, err := oauth.NewClient(fa.NonFamilyClientID, &oauth.ClientOptions{AuthenticationRecord: oauth.AuthenticationRecord{ClientID: oauth.AzureCLIClientID, HomeAccountID: "u.t"}})
	if err == nil {
		t.Error("a record for another client was accepted")
	}
}
