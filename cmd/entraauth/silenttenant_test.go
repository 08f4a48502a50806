package main

import "testing"

// TestSilentTenant: after a login that named no tenant, a silent command
// keeps a CIAM host's own tenant (NAME.onmicrosoft.com, or its path)
// instead of asking /organizations of it.
func TestSilentTenant(t *testing.T) {
	tests := []struct{ host, tenant, want string }{
		{"", "", "organizations"},
		{"https://login.microsoftonline.us", "", "organizations"},
		{"https://contoso.ciamlogin.com", "", ""},
		{"https://contoso.ciamlogin.com/contoso.onmicrosoft.com", "", ""},
		{"https://contoso.ciamlogin.com", "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f", "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"},
		{"https://login.microsoftonline.com", "common", "common"},
		{"not a url %%", "", "organizations"},
	}
	for _, tc := range tests {
		if got := silentTenant(tc.host, tc.tenant); got != tc.want {
			t.Errorf("silentTenant(%q, %q) = %q, want %q", tc.host, tc.tenant, got, tc.want)
		}
	}
}
