package fakeauthority_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestGrantedScope: "scope" is the granted set as Entra answers it, not
// the request echoed: a .default request gets the app's configured
// permissions on the resource followed by the .default scope, OIDC
// scopes are not echoed, and scp holds the permissions.
func TestGrantedScope(t *testing.T) {
	tests := []struct {
		name, client, scope string
		want, scp           string
	}{
		{"ARM .default as Azure CLI asks", fakeauthority.AzureCLIClientID,
			"https://management.core.windows.net//.default offline_access openid profile",
			"https://management.core.windows.net//user_impersonation https://management.core.windows.net//.default", "user_impersonation"},
		{"other ARM URI", fakeauthority.AzureCLIClientID, "https://management.azure.com/.default openid",
			"https://management.azure.com/user_impersonation https://management.azure.com/.default", "user_impersonation"},
		{"Graph .default", fakeauthority.NonFamilyClientID, "https://graph.microsoft.com/.default offline_access",
			"https://graph.microsoft.com/User.Read https://graph.microsoft.com/.default", "User.Read"},
		{"explicit permission", fakeauthority.AzureCLIClientID, "User.Read openid profile offline_access", "User.Read", "User.Read"},
		{"permission and .default", fakeauthority.AzureCLIClientID,
			"https://vault.azure.net/user_impersonation https://vault.azure.net/.default",
			"https://vault.azure.net/user_impersonation https://vault.azure.net/.default", "user_impersonation"},
		{"nothing configured", fakeauthority.AzurePowerShellClientID, "api://other/.default", "api://other/.default", ".default"},
		{"OIDC only", fakeauthority.AzureCLIClientID, "openid profile", "openid profile", ""},
	}
	fa := fakeauthority.New(nil)
	fa.Directory().AddResource(fakeauthority.Resource{URI: "api://other", AppID: "6b6c7d8e-9f00-4112-8233-445566778800"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := passwordForm(tt.scope)
			form.Set("client_id", tt.client)
			status, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", form)
			if status != 200 {
				t.Fatalf("%d %v", status, body)
			}
			if body["scope"] != tt.want {
				t.Errorf("scope = %q, want %q", body["scope"], tt.want)
			}
			if at := claims(t, body["access_token"].(string)); tt.scp != "" && at["scp"] != tt.scp {
				t.Errorf("scp = %v, want %q", at["scp"], tt.scp)
			}
		})
	}
}

// TestExpiresInVaries: without a pinned lifetime, expires_in is a whole
// number of seconds in Entra's 60-90 minute range, ext_expires_in equals
// it, and it is not the same for every token; a pinned lifetime is exact.
func TestExpiresInVaries(t *testing.T) {
	fa := fakeauthority.New(nil)
	seen := map[float64]bool{}
	for range 20 {
		_, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read"))
		n, _ := body["expires_in"].(float64)
		if n < 3600 || n > 5400 || n != float64(int(n)) {
			t.Fatalf("expires_in = %v, want 3600-5400", body["expires_in"])
		}
		if body["ext_expires_in"] != n {
			t.Errorf("ext_expires_in = %v, expires_in %v", body["ext_expires_in"], n)
		}
		at := claims(t, body["access_token"].(string))
		if life := at["exp"].(float64) - at["iat"].(float64); life != n {
			t.Errorf("access token lives %v s, expires_in says %v", life, n)
		}
		seen[n] = true
	}
	if len(seen) < 2 { // 20 draws from 1801 values: all equal has probability 1801^-19
		t.Errorf("expires_in never varied: %v", seen)
	}
	pinned := fakeauthority.New(&fakeauthority.Options{AccessTokenLifetime: 100 * time.Minute})
	if _, body := post(t, pinned, tenantURL(pinned)+"/oauth2/v2.0/token", passwordForm("User.Read")); body["expires_in"] != 6000.0 {
		t.Errorf("pinned expires_in = %v, want 6000", body["expires_in"])
	}
}

// TestErrorURIServesPage: the error_uri of an error answer is a page the
// authority serves, naming the code; an unknown code is 404.
func TestErrorURIServesPage(t *testing.T) {
	fa := fakeauthority.New(nil)
	form := passwordForm("User.Read")
	form.Set("password", "wrong")
	_, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", form)
	uri, _ := body["error_uri"].(string)
	if uri != fa.URL()+"/error?code=50126" {
		t.Fatalf("error_uri = %q", uri)
	}
	for _, tt := range []struct {
		url    string
		status int
		want   string
	}{
		{uri, 200, "AADSTS50126: Error validating credentials"},
		{fa.URL() + "/error?code=1", 404, "no description"},
		{fa.URL() + "/error?code=x", 404, "no description"},
	} {
		resp, err := fa.Client().Get(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
			t.Errorf("GET %s: %d %s, want %d with %q", tt.url, resp.StatusCode, b, tt.status, tt.want)
		}
	}
	if n := fa.Count(fakeauthority.EndpointErrorPage); n != 3 {
		t.Errorf("error page counter = %d, want 3", n)
	}
}
