package engine

import "testing"

func TestIssuerTenant(t *testing.T) {
	const guid = "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
	auth, _ := ParseAuthority("", "contoso.com")
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"v2 issuer", `{"issuer":"https://login.microsoftonline.com/` + guid + `/v2.0"}`, true},
		{"alias host", `{"issuer":"https://login.windows.net/` + guid + `/v2.0"}`, true},
		{"another cloud", `{"issuer":"https://login.microsoftonline.us/` + guid + `/v2.0"}`, false},
		{"template", `{"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0"}`, false},
		{"v1 issuer", `{"issuer":"https://sts.windows.net/` + guid + `/"}`, false},
		{"http", `{"issuer":"http://login.microsoftonline.com/` + guid + `/v2.0"}`, false},
		{"no issuer", `{}`, false},
		{"not JSON", `<html>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := issuerTenant([]byte(tt.body), auth)
			if ok != tt.ok || (ok && got != guid) {
				t.Errorf("issuerTenant = %q, %v; want ok %v", got, ok, tt.ok)
			}
		})
	}
	// A CIAM authority: External ID's issuer names the tenant ID in its host.
	ciam, _ := ParseAuthority("https://contoso.ciamlogin.com/", "")
	for _, tt := range []struct {
		iss string
		ok  bool
	}{
		{"https://" + guid + ".ciamlogin.com/" + guid + "/v2.0", true},
		{"https://contoso.ciamlogin.com/" + guid + "/v2.0", true},
		{"https://0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d.ciamlogin.com/" + guid + "/v2.0", false},
		{"https://fabrikam.ciamlogin.com/" + guid + "/v2.0", false},
		{"https://login.microsoftonline.com/" + guid + "/v2.0", false},
	} {
		got, ok := issuerTenant([]byte(`{"issuer":"`+tt.iss+`"}`), ciam)
		if ok != tt.ok || (ok && got != guid) {
			t.Errorf("CIAM issuer %s: issuerTenant = %q, %v; want ok %v", tt.iss, got, ok, tt.ok)
		}
	}
	if _, ok := issuerTenant([]byte(`{"issuer":"https://`+guid+`.ciamlogin.com/`+guid+`/v2.0"}`), auth); ok {
		t.Errorf("a CIAM issuer accepted for a non-CIAM authority")
	}
}

func FuzzIssuerTenant(f *testing.F) {
	auth, _ := ParseAuthority("", "contoso.com")
	f.Add([]byte(`{"issuer":"https://login.microsoftonline.com/7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f/v2.0"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if g, ok := issuerTenant(body, auth); ok && !IsGUID(g) {
			t.Fatalf("accepted a tenant that is not a GUID: %q", g)
		}
	})
}
