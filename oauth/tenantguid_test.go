package oauth

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
