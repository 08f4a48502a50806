package fakeauthority_test

import (
	"crypto/tls"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestCustomDirectoryAndClock: a directory built from scratch, a
// single-tenant app, and a fixed clock reflected in token times.
func TestCustomDirectoryAndClock(t *testing.T) {
	d := fakeauthority.NewDirectory()
	d.AddTenant(fakeauthority.Tenant{ID: "11111111-1111-4111-8111-111111111111", Domain: "solo.example"})
	d.AddUser(fakeauthority.User{Username: "u@solo.example", Password: "pw", ObjectID: "22222222-2222-4222-8222-222222222222", TenantID: "11111111-1111-4111-8111-111111111111"})
	d.AddApp(fakeauthority.App{ClientID: "33333333-3333-4333-8333-333333333333", PublicClient: true, TenantID: "11111111-1111-4111-8111-111111111111"})
	d.AddResource(fakeauthority.Resource{URI: "api://solo", Scopes: []string{"read"}})
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	fa := fakeauthority.New(&fakeauthority.Options{Directory: d, Now: func() time.Time { return fixed }})
	fa.Advance(time.Minute)
	if !fa.Now().Equal(fixed.Add(time.Minute)) {
		t.Errorf("Now() = %v", fa.Now())
	}
	form := url.Values{"grant_type": {"password"}, "client_id": {"33333333-3333-4333-8333-333333333333"},
		"username": {"u@solo.example"}, "password": {"pw"}, "scope": {"api://solo/read openid"}}
	tests := []struct {
		tenant string
		scope  string
		status int
		code   int
	}{
		{"solo.example", "api://solo/read openid", 200, 0},
		{"organizations", "api://solo/read openid", 400, 50194},
		{fakeauthority.DefaultTenantID, "api://solo/read openid", 400, 90002}, // not in this directory
		{"solo.example", "api://solo/write", 400, 70011},
		{"solo.example", "User.Read", 400, 500011}, // no Graph in this directory
	}
	for _, tt := range tests {
		t.Run(tt.tenant+" "+tt.scope, func(t *testing.T) {
			form.Set("scope", tt.scope)
			status, body := post(t, fa, fa.AuthorityURL(tt.tenant)+"/oauth2/v2.0/token", form)
			if tt.status == 200 {
				if status != 200 {
					t.Fatalf("%d %v", status, body)
				}
				if iat := claims(t, body["id_token"].(string))["iat"]; iat != float64(fixed.Add(time.Minute).Unix()) {
					t.Errorf("iat %v, want the fixed clock", iat)
				}
				return
			}
			wantError(t, status, body, tt.status, statusError(tt.code), tt.code)
		})
	}
}

func statusError(code int) string {
	return map[int]string{50194: "invalid_request", 90002: "invalid_tenant", 70011: "invalid_scope", 500011: "invalid_resource"}[code]
}

func TestAddUserReplaces(t *testing.T) {
	fa := fakeauthority.New(nil)
	fa.Directory().AddUser(fakeauthority.User{Username: fakeauthority.DefaultUsername, Password: "new", ObjectID: fakeauthority.DefaultUserObjectID})
	status, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read"))
	wantError(t, status, body, 400, "invalid_grant", 50126)
	if n := len(fa.Directory().Users()); n != 4 {
		t.Errorf("%d users after replacing one of the 4 defaults", n)
	}
	if n := len(fa.Directory().Apps()); n != 4 {
		t.Errorf("%d default apps, want 4", n)
	}
	form := passwordForm("User.Read")
	form.Set("password", "new")
	if status, _ := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", form); status != 200 {
		t.Errorf("new password refused: %d", status)
	}
}

func TestStartWithHost(t *testing.T) {
	fa := fakeauthority.Start(t, &fakeauthority.Options{Host: "fake.test:8443"})
	_, doc := get(t, fa, fa.AuthorityURL("common")+"/v2.0/.well-known/openid-configuration")
	if doc["issuer"] != "https://fake.test:8443/{tenantid}/v2.0" {
		t.Errorf("issuer %v does not name Options.Host", doc["issuer"])
	}
	// The certificate covers Options.Host's name.
	conn, err := tls.Dial("tcp", strings.TrimPrefix(fa.URL(), "https://"), &tls.Config{RootCAs: fa.CertPool(), ServerName: "fake.test"})
	if err != nil {
		t.Fatalf("TLS to fake.test: %v", err)
	}
	conn.Close()
}
