package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/oauth"
)

func TestParseAuthority(t *testing.T) {
	tests := []struct {
		name, host, tenant string
		want               string // Authority.String(); "" when an error is wanted
		known              bool
		errHas             string
	}{
		{"default host and tenant", "", "", "https://login.microsoftonline.com/organizations", true, ""},
		{"public", "https://login.microsoftonline.com", "common", "https://login.microsoftonline.com/common", true, ""},
		{"trailing slash", "https://login.microsoftonline.com/", "consumers", "https://login.microsoftonline.com/consumers", true, ""},
		{"public alias", "https://login.windows.net", "organizations", "https://login.windows.net/organizations", true, ""},
		{"public alias sts", "https://sts.windows.net", "organizations", "https://sts.windows.net/organizations", true, ""},
		{"us gov", "https://login.microsoftonline.us", "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f", "https://login.microsoftonline.us/7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f", true, ""},
		{"us gov alias", "https://login.usgovcloudapi.net", "common", "https://login.usgovcloudapi.net/common", true, ""},
		{"china", "https://login.partner.microsoftonline.cn", "contoso.partner.onmschina.cn", "https://login.partner.microsoftonline.cn/contoso.partner.onmschina.cn", true, ""},
		{"china alias", "https://login.chinacloudapi.cn", "common", "https://login.chinacloudapi.cn/common", true, ""},
		{"host only (azure-identity record)", "login.microsoftonline.com", "common", "https://login.microsoftonline.com/common", true, ""},
		{"upper case host", "HTTPS://LOGIN.MicrosoftOnline.com", "common", "https://login.microsoftonline.com/common", true, ""},
		{"any https host", "https://login.contoso.example:8443", "organizations", "https://login.contoso.example:8443/organizations", false, ""},
		{"adfs", "https://adfs.contoso.com", "adfs", "https://adfs.contoso.com/adfs", false, ""},
		{"domain tenant", "", "contoso.onmicrosoft.com", "https://login.microsoftonline.com/contoso.onmicrosoft.com", true, ""},
		{"http loopback ip", "http://127.0.0.1:8080", "common", "http://127.0.0.1:8080/common", false, ""},
		{"http localhost", "http://localhost:1234", "common", "http://localhost:1234/common", false, ""},
		{"http ipv6 loopback", "http://[::1]:1234", "common", "http://[::1]:1234/common", false, ""},
		{"http refused", "http://login.microsoftonline.com", "common", "", false, "http is allowed only for a loopback"},
		{"other scheme", "ftp://login.microsoftonline.com", "common", "", false, "not https"},
		{"path", "https://login.microsoftonline.com/contoso", "", "", false, "no path"},
		{"userinfo", "https://user:secret@login.microsoftonline.com", "", "", false, "user information"},
		{"query", "https://login.microsoftonline.com?x=1", "", "", false, "query"},
		{"fragment", "https://login.microsoftonline.com#x", "", "", false, "query or fragment"},
		{"empty host", "https://", "", "", false, "empty"},
		{"bad host chars", "https://log%20in.example", "", "", false, ""},
		{"tenant with slash", "", "a/b", "", false, "invalid character"},
		{"tenant with space", "", "a b", "", false, "invalid character"},
		{"tenant dot dot", "", "..", "", false, "not a GUID"},
		{"tenant too long", "", strings.Repeat("a", 257), "", false, "1 to 256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAuthority(tt.host, tt.tenant)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseAuthority(%q, %q) = %v, want an error", tt.host, tt.tenant, a)
				}
				if !errors.Is(err, oauth.ErrInvalidAuthority) {
					t.Errorf("error %v does not match ErrInvalidAuthority", err)
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("error %q does not contain %q", err, tt.errHas)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error echoes the input: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAuthority(%q, %q): %v", tt.host, tt.tenant, err)
			}
			if a.String() != tt.want {
				t.Errorf("String() = %q, want %q", a.String(), tt.want)
			}
			if a.IsKnownCloud() != tt.known {
				t.Errorf("IsKnownCloud() = %v, want %v", a.IsKnownCloud(), tt.known)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	guid := "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
	tests := []struct {
		host, tenant string
		want         Endpoints
	}{
		{"", guid, Endpoints{
			Authority:           "https://login.microsoftonline.com/" + guid,
			Authorize:           "https://login.microsoftonline.com/" + guid + "/oauth2/v2.0/authorize",
			Token:               "https://login.microsoftonline.com/" + guid + "/oauth2/v2.0/token",
			DeviceCode:          "https://login.microsoftonline.com/" + guid + "/oauth2/v2.0/devicecode",
			Logout:              "https://login.microsoftonline.com/" + guid + "/oauth2/v2.0/logout",
			OpenIDConfiguration: "https://login.microsoftonline.com/" + guid + "/v2.0/.well-known/openid-configuration",
			Keys:                "https://login.microsoftonline.com/" + guid + "/discovery/v2.0/keys",
			Issuer:              "https://login.microsoftonline.com/" + guid + "/v2.0",
		}},
		{"https://login.microsoftonline.us", "common", Endpoints{
			Authority:           "https://login.microsoftonline.us/common",
			Authorize:           "https://login.microsoftonline.us/common/oauth2/v2.0/authorize",
			Token:               "https://login.microsoftonline.us/common/oauth2/v2.0/token",
			DeviceCode:          "https://login.microsoftonline.us/common/oauth2/v2.0/devicecode",
			Logout:              "https://login.microsoftonline.us/common/oauth2/v2.0/logout",
			OpenIDConfiguration: "https://login.microsoftonline.us/common/v2.0/.well-known/openid-configuration",
			Keys:                "https://login.microsoftonline.us/common/discovery/v2.0/keys",
			Issuer:              "https://login.microsoftonline.us/{tenantid}/v2.0",
		}},
		{"https://adfs.contoso.com", "adfs", Endpoints{
			Authority:           "https://adfs.contoso.com/adfs",
			Authorize:           "https://adfs.contoso.com/adfs/oauth2/authorize",
			Token:               "https://adfs.contoso.com/adfs/oauth2/token",
			DeviceCode:          "https://adfs.contoso.com/adfs/oauth2/devicecode",
			Logout:              "https://adfs.contoso.com/adfs/oauth2/logout",
			OpenIDConfiguration: "https://adfs.contoso.com/adfs/.well-known/openid-configuration",
			Keys:                "https://adfs.contoso.com/adfs/discovery/keys",
			Issuer:              "https://adfs.contoso.com/adfs",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.host+"/"+tt.tenant, func(t *testing.T) {
			a, err := ParseAuthority(tt.host, tt.tenant)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Endpoints(); got != tt.want {
				t.Errorf("Endpoints() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	a, _ := ParseAuthority("", "contoso.onmicrosoft.com")
	if got := a.Endpoints().Issuer; got != "https://login.microsoftonline.com/{tenantid}/v2.0" {
		t.Errorf("domain tenant issuer = %q", got)
	}
}

func TestAuthorityURLs(t *testing.T) {
	a, _ := ParseAuthority("https://login.microsoftonline.us", "organizations")
	if got, want := a.UserRealmURL("a b@contoso.com"), "https://login.microsoftonline.us/common/userrealm/a%20b@contoso.com?api-version=1.0"; got != want {
		t.Errorf("UserRealmURL = %q, want %q", got, want)
	}
	if got := a.InstanceDiscoveryURL(); !strings.HasPrefix(got, "https://login.microsoftonline.us/common/discovery/instance?") ||
		!strings.Contains(got, "authorization_endpoint=https%3A%2F%2Flogin.microsoftonline.us%2Forganizations%2Foauth2%2Fv2.0%2Fauthorize") {
		t.Errorf("known cloud InstanceDiscoveryURL = %q", got)
	}
	u, _ := ParseAuthority("https://login.contoso.example", "organizations")
	if got := u.InstanceDiscoveryURL(); !strings.HasPrefix(got, "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&") {
		t.Errorf("unknown host InstanceDiscoveryURL = %q", got)
	}
	if got := a.Aliases(); len(got) != 2 || got[0] != "login.microsoftonline.us" || got[1] != "login.usgovcloudapi.net" {
		t.Errorf("Aliases = %v", got)
	}
	w, err := a.WithTenant("common")
	if err != nil || w.Tenant != "common" || a.Tenant != "organizations" {
		t.Errorf("WithTenant = %v, %v (original %v)", w, err, a)
	}
	if _, err := a.WithTenant("x/y"); err == nil {
		t.Error("WithTenant accepted a bad tenant")
	}
}

func TestIsGUID(t *testing.T) {
	for s, want := range map[string]bool{
		"7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f": true,
		"7F3C1D2E-5A4B-4C8D-9E0F-1A2B3C4D5E6F": true,
		"7f3c1d2e5a4b4c8d9e0f1a2b3c4d5e6f":     false,
		"7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6g": false,
		"organizations":                        false,
	} {
		if IsGUID(s) != want {
			t.Errorf("IsGUID(%q) = %v", s, !want)
		}
	}
}

func FuzzParseAuthority(f *testing.F) {
	f.Add("https://login.microsoftonline.com", "common")
	f.Add("login.chinacloudapi.cn", "contoso.onmicrosoft.com")
	f.Add("http://127.0.0.1:1/", "adfs")
	f.Add("https://u:p@h/x?y#z", "a/b")
	f.Add("https://contoso.ciamlogin.com/", "")
	f.Add("https://contoso.ciamlogin.com/contoso.onmicrosoft.com", "")
	f.Add("https://contoso.ciamlogin.com/a%2Fb", "")
	f.Fuzz(func(t *testing.T, host, tenant string) {
		a, err := ParseAuthority(host, tenant)
		if err != nil {
			if !errors.Is(err, oauth.ErrInvalidAuthority) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if a.Scheme != "https" && !(a.Scheme == "http" && isLoopback(hostOnly(a.Host))) {
			t.Fatalf("accepted scheme %q for host %q", a.Scheme, a.Host)
		}
		ep := a.Endpoints()
		if !strings.HasPrefix(ep.Token, a.Scheme+"://"+a.Host+"/") {
			t.Fatalf("token endpoint %q not on the authority host %q", ep.Token, a.Host)
		}
		if a.IsCIAM() && !strings.HasSuffix(hostOnly(a.Host), ".ciamlogin.com") {
			t.Fatalf("CIAM authority on host %q", a.Host)
		}
		if strings.ContainsAny(a.Tenant, "/?#@ ") {
			t.Fatalf("tenant %q can change the URL", a.Tenant)
		}
	})
}

// A tenant is a GUID, a domain or a well-known name: none starts with '-',
// which a program given the tenant as an argument (az --tenant) would read
// as an option.
func TestValidateTenantRefusesOptionShapes(t *testing.T) {
	for tenant, ok := range map[string]bool{
		"contoso.onmicrosoft.com":              true,
		"7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f": true,
		"organizations":                        true,
		"--debug":                              false,
		"-x":                                   false,
		".x":                                   false,
	} {
		if err := oauth.ValidateTenant(tenant); (err == nil) != ok {
			t.Errorf("ValidateTenant(%q) = %v, want ok %v", tenant, err, ok)
		}
	}
}
