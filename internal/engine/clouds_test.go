package engine_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// TestCIAMAuthorityForms covers the CIAM authority forms MSAL Python
// (msal/authority.py, canonicalize) and MSAL.NET (CiamAuthority.cs,
// TransformAuthority) accept: path-less (tenant {name}.onmicrosoft.com),
// with a domain or tenant-ID path, and the tenant given separately.
func TestCIAMAuthorityForms(t *testing.T) {
	const guid = "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
	ciamIss := "https://{tenantid}.ciamlogin.com/{tenantid}/v2.0"
	tests := []struct {
		host, tenant string
		want         string // Authority.String(); "" = an error
		ciam         bool
	}{
		{"https://contoso.ciamlogin.com/", "", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com", true},
		{"https://contoso.ciamlogin.com", "", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com", true},
		{"contoso.ciamlogin.com", "", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com", true},
		{"https://Contoso.CIAMLogin.com/", "", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com", true},
		{"https://contoso.ciamlogin.com/contoso.onmicrosoft.com", "", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com", true},
		{"https://contoso.ciamlogin.com/" + guid, "", "https://contoso.ciamlogin.com/" + guid, true},
		{"https://contoso.ciamlogin.com/" + guid + "/", guid, "https://contoso.ciamlogin.com/" + guid, true},
		{"https://contoso.ciamlogin.com", guid, "https://contoso.ciamlogin.com/" + guid, true},
		{"https://contoso.ciamlogin.com/" + guid, "fabrikam.onmicrosoft.com", "", false}, // the path and the option disagree
		{"https://contoso.ciamlogin.com/a/b", "", "", false},
		{"https://contoso.ciamlogin.com/a%2Fb", "", "", false},
		{"http://contoso.ciamlogin.com/", "", "", false},
		{"https://ciamlogin.com/", "", "https://ciamlogin.com/organizations", false}, // no tenant name: not CIAM
		{"https://login.microsoftonline.com/contoso.onmicrosoft.com", "", "", false}, // only CIAM carries a path
	}
	for _, tc := range tests {
		a, err := engine.ParseAuthority(tc.host, tc.tenant)
		if tc.want == "" {
			if !errors.Is(err, oauth.ErrInvalidAuthority) {
				t.Errorf("ParseAuthority(%q, %q) = %v, %v; want ErrInvalidAuthority", tc.host, tc.tenant, a, err)
			}
			continue
		}
		if err != nil || a.String() != tc.want || a.IsCIAM() != tc.ciam {
			t.Errorf("ParseAuthority(%q, %q) = %q (CIAM %v), %v; want %q (CIAM %v)", tc.host, tc.tenant, a.String(), a.IsCIAM(), err, tc.want, tc.ciam)
			continue
		}
		if !tc.ciam {
			continue
		}
		ep := a.Endpoints()
		if ep.Issuer != ciamIss || a.IsKnownCloud() || a.IsADFS() {
			t.Errorf("%s: issuer %q known %v adfs %v; want %q, unknown, not AD FS", a, ep.Issuer, a.IsKnownCloud(), a.IsADFS(), ciamIss)
		}
		if want := a.String() + "/v2.0/.well-known/openid-configuration"; ep.OpenIDConfiguration != want {
			t.Errorf("%s: OIDC discovery at %q, want %q (on the CIAM host)", a, ep.OpenIDConfiguration, want)
		}
	}
}

// TestCIAMSignIn signs in through the path-less CIAM authority: no
// instance discovery, OIDC discovery on the CIAM host, the ID token's
// CIAM issuer accepted, the record and cache keyed by the CIAM host.
func TestCIAMSignIn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.AuthorityHost, o.TenantID = "https://"+fa.CIAMHost+"/", ""
		})
		rec, err := c.Authenticate(context.Background(), graph)
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		if rec.Authority != "https://"+fa.CIAMHost || !strings.EqualFold(rec.TenantID, fa.DefaultTenantID) {
			t.Errorf("record authority %q tenant %q, want %q and %q", rec.Authority, rec.TenantID, "https://"+fa.CIAMHost, fa.DefaultTenantID)
		}
		mustToken(t, c, graph)
		if n, tok := a.Count(fa.EndpointInstance), a.Count(fa.EndpointToken); n != 0 || tok != 1 {
			t.Errorf("%d instance discovery and %d token requests, want 0 and 1 (the second token from the cache)", n, tok)
		}
		// The domain tenant is resolved by OIDC discovery (the fake
		// answers the CIAM host with CIAM's issuer, which must be read).
		found := false
		for _, r := range a.RequestsTo(fa.EndpointDiscovery) {
			found = found || strings.EqualFold(r.Tenant, fa.DefaultTenantDomain)
		}
		if !found {
			t.Errorf("no OIDC discovery for tenant %s", fa.DefaultTenantDomain)
		}
	})
}

// TestCloudTable: every known cloud, the sovereign clouds Bleu, Delos
// and GovSG included, needs no instance discovery, and its aliases and
// discovery endpoint stay on its own hosts.
func TestCloudTable(t *testing.T) {
	tests := []struct {
		host    string
		aliases []string
	}{
		{"login.microsoftonline.com", []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}},
		{"login.microsoftonline.us", []string{"login.microsoftonline.us", "login.usgovcloudapi.net"}},
		{"login.partner.microsoftonline.cn", []string{"login.partner.microsoftonline.cn", "login.chinacloudapi.cn"}},
		{"login.sovcloud-identity.fr", []string{"login.sovcloud-identity.fr"}},
		{"login.sovcloud-identity.de", []string{"login.sovcloud-identity.de"}},
		{"login.sovcloud-identity.sg", []string{"login.sovcloud-identity.sg"}},
	}
	for _, tc := range tests {
		a, err := engine.ParseAuthority("https://"+tc.host, oauth.TenantOrganizations)
		if err != nil {
			t.Fatal(err)
		}
		if !a.IsKnownCloud() {
			t.Errorf("%s is not a known cloud", tc.host)
		}
		if got := a.Aliases(); strings.Join(got, " ") != strings.Join(tc.aliases, " ") {
			t.Errorf("%s: aliases %v, want %v", tc.host, got, tc.aliases)
		}
		if u, _ := url.Parse(a.InstanceDiscoveryURL()); u == nil || u.Host != tc.host {
			t.Errorf("%s: instance discovery at %q, not on its own host", tc.host, a.InstanceDiscoveryURL())
		}
	}
}

// TestInstanceDiscoveryFailure: a failed discovery (an outage, not
// Entra's refusal) is a typed error naming the fix, sends no credentials,
// and is retried by the next call; a known sovereign host never asks.
func TestInstanceDiscoveryFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const host = "login.outage-test.example"
		a := fa.New(&fa.Options{Host: host})
		a.InjectFault(fa.EndpointInstance, fa.Fault{Times: -1, Status: 503}) // outlasts the client's retry
		c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.AuthorityHost = "https://" + host })
		_, err := c.GetToken(context.Background(), graph)
		var e *oauth.Error
		if !errors.As(err, &e) || e.Endpoint != "discovery" || e.StatusCode != 503 ||
			!strings.Contains(err.Error(), "DisableInstanceDiscovery") || !strings.Contains(err.Error(), "--disable-instance-discovery") {
			t.Fatalf("err = %v; want a discovery *oauth.Error (503) naming DisableInstanceDiscovery", err)
		}
		if n := a.Count(fa.EndpointToken); n != 0 {
			t.Errorf("%d token requests to an unvalidated host, want 0", n)
		}
		n := a.Count(fa.EndpointInstance)
		a.ClearFaults()
		mustToken(t, c, graph) // not cached: the next call asks again
		if m := a.Count(fa.EndpointInstance); m != n+1 {
			t.Errorf("%d instance discovery requests after the outage, want 1", m-n)
		}

		s := fa.New(&fa.Options{Host: "login.sovcloud-identity.fr"})
		s.InjectFault(fa.EndpointInstance, fa.Fault{Times: -1, Status: 503})
		mustToken(t, newPassword(t, s, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.AuthorityHost = "https://login.sovcloud-identity.fr"
		}), graph)
		if n := s.Count(fa.EndpointInstance); n != 0 {
			t.Errorf("a sovereign cloud host asked instance discovery %d times, want 0", n)
		}
	})
}
