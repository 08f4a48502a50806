package engine

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/entraauth/entraauth/oauth"
)

// cloud is one Microsoft cloud: the host requests go to and the aliases
// that name the same cloud (tokens cached under any alias are valid for all).
type cloud struct {
	network string   // preferred_network
	aliases []string // including network
}

// knownClouds need no instance discovery: the hosts and aliases that
// https://login.microsoftonline.com/common/discovery/instance lists for
// the public, US Government and China clouds, and the sovereign clouds
// that answer no discovery of another cloud (each is its own only alias):
// Bleu (France), Delos (Germany) and GovSG (Singapore), as MSAL Go lists
// them (AzureAD/microsoft-authentication-library-for-go pull request #604:
// apps/internal/oauth/ops/authority/authority.go aadTrustedHostList and
// known_metadata.go, each host its own only alias) and the MSAL issues
// https://github.com/AzureAD/microsoft-authentication-library-for-dotnet/issues/5630,
// https://github.com/AzureAD/microsoft-authentication-library-for-python/issues/871
// and https://github.com/AzureAD/microsoft-authentication-library-for-java/issues/1008
// ask for.
var knownClouds = []cloud{
	{"login.microsoftonline.com", []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}},
	{"login.microsoftonline.us", []string{"login.microsoftonline.us", "login.usgovcloudapi.net"}},
	{"login.partner.microsoftonline.cn", []string{"login.partner.microsoftonline.cn", "login.chinacloudapi.cn"}},
	{"login-us.microsoftonline.com", []string{"login-us.microsoftonline.com"}},
	{"login.microsoftonline.de", []string{"login.microsoftonline.de"}},
	{"login.sovcloud-identity.fr", []string{"login.sovcloud-identity.fr"}},
	{"login.sovcloud-identity.de", []string{"login.sovcloud-identity.de"}},
	{"login.sovcloud-identity.sg", []string{"login.sovcloud-identity.sg"}},
}

// ciamSuffix ends the host of every Microsoft Entra External ID (CIAM)
// tenant: https://{tenant}.ciamlogin.com. MSAL Python
// (AzureAD/microsoft-authentication-library-for-python msal/authority.py,
// _CIAM_DOMAIN_SUFFIX) and MSAL.NET
// (AzureAD/microsoft-authentication-library-for-dotnet
// src/client/Microsoft.Identity.Client/Instance/CiamAuthority.cs) both
// recognise a CIAM authority by this suffix.
const ciamSuffix = ".ciamlogin.com"

// isCIAMHost reports whether hostname is {tenant}.ciamlogin.com.
func isCIAMHost(hostname string) bool {
	h := strings.ToLower(hostname)
	return len(h) > len(ciamSuffix) && strings.HasSuffix(h, ciamSuffix)
}

// knownCloud returns the cloud host belongs to, if it is a known one.
func knownCloud(host string) (cloud, bool) {
	for _, c := range knownClouds {
		for _, a := range c.aliases {
			if strings.EqualFold(a, host) {
				return c, true
			}
		}
	}
	return cloud{}, false
}

// Authority is a validated authority: scheme, host and tenant. Build one
// with [ParseAuthority]; the zero value is not usable.
type Authority struct {
	// Scheme is "https", or "http" for a loopback host only.
	Scheme string
	// Host is the lower-cased host, with ":port" when one was given.
	Host string
	// Tenant is the tenant path segment: a GUID, a domain, "common",
	// "organizations", "consumers" or "adfs".
	Tenant string
}

// ParseAuthority validates an authority host and a tenant. host is a URL
// with no path ("https://login.microsoftonline.com", a trailing "/" is
// allowed) or a bare host name as azure-identity records it
// ("login.microsoftonline.com", taken as https). Plain http is refused
// except for loopback hosts (a local fake authority). tenant "" means
// "organizations".
//
// A CIAM host (https://{name}.ciamlogin.com) may carry its tenant as the
// one path segment ("https://contoso.ciamlogin.com/contoso.onmicrosoft.com"
// or a tenant ID), which tenant must then be "" or repeat; without a path
// and with tenant "" the tenant is {name}.onmicrosoft.com, as MSAL Python
// (msal/authority.py, canonicalize) and MSAL.NET (CiamAuthority.cs,
// TransformAuthority) read the path-less form. The error names what was
// wrong without echoing input that could hold a secret.
func ParseAuthority(host, tenant string) (Authority, error) {
	if host == "" {
		host = oauth.DefaultAuthorityHost
	}
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := url.Parse(host)
	if err != nil {
		return Authority{}, fmt.Errorf("%w: authority host is not a URL", oauth.ErrInvalidAuthority)
	}
	if isCIAMHost(u.Hostname()) {
		if tenant, err = ciamTenant(u, tenant); err != nil {
			return Authority{}, err
		}
	}
	switch {
	case u.User != nil:
		return Authority{}, fmt.Errorf("%w: authority host must not carry user information", oauth.ErrInvalidAuthority)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return Authority{}, fmt.Errorf("%w: authority host must not carry a query or fragment", oauth.ErrInvalidAuthority)
	case u.Path != "" && u.Path != "/":
		return Authority{}, fmt.Errorf("%w: authority host must have no path; set the tenant separately", oauth.ErrInvalidAuthority)
	case u.Host == "" || u.Hostname() == "":
		return Authority{}, fmt.Errorf("%w: authority host is empty", oauth.ErrInvalidAuthority)
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return Authority{}, fmt.Errorf("%w: http is allowed only for a loopback host; use https", oauth.ErrInvalidAuthority)
		}
	default:
		return Authority{}, fmt.Errorf("%w: scheme %q is not https", oauth.ErrInvalidAuthority, truncate(scheme, 16))
	}
	if !validHost(u.Host) {
		return Authority{}, fmt.Errorf("%w: authority host has invalid characters", oauth.ErrInvalidAuthority)
	}
	a := Authority{Scheme: scheme, Host: strings.ToLower(u.Host)}
	if tenant == "" {
		tenant = oauth.TenantOrganizations
	}
	if err := oauth.ValidateTenant(tenant); err != nil {
		return Authority{}, err
	}
	a.Tenant = tenant
	return a, nil
}

// IsGUID reports whether s has the 8-4-4-4-12 hexadecimal form of a tenant ID.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// ciamTenant returns the tenant of a CIAM authority u and clears u's path:
// the path's one segment, else tenant, else {name}.onmicrosoft.com.
func ciamTenant(u *url.URL, tenant string) (string, error) {
	seg := strings.Trim(u.Path, "/")
	if strings.Contains(seg, "/") {
		return "", fmt.Errorf("%w: a CIAM authority has at most one path segment, its tenant", oauth.ErrInvalidAuthority)
	}
	u.Path, u.RawPath = "", ""
	switch {
	case seg != "" && tenant != "" && !strings.EqualFold(seg, tenant):
		return "", fmt.Errorf("%w: the CIAM authority's path names another tenant than the tenant option", oauth.ErrInvalidAuthority)
	case seg != "":
		return seg, nil
	case tenant != "":
		return tenant, nil
	}
	name := strings.ToLower(u.Hostname())
	return strings.TrimSuffix(name, ciamSuffix) + ".onmicrosoft.com", nil
}

func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-.:[]_", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

func isLoopback(hostname string) bool {
	if strings.EqualFold(hostname, "localhost") {
		return true
	}
	ip := net.ParseIP(hostname)
	return ip != nil && ip.IsLoopback()
}

// IsADFS reports whether the authority is an AD FS server.
func (a Authority) IsADFS() bool { return strings.EqualFold(a.Tenant, oauth.TenantADFS) }

// IsTenantIndependent reports whether the tenant is common,
// organizations or consumers, where ID tokens carry the user's own tenant.
func (a Authority) IsTenantIndependent() bool {
	switch strings.ToLower(a.Tenant) {
	case oauth.TenantCommon, oauth.TenantOrganizations, oauth.TenantConsumers:
		return true
	}
	return false
}

// IsCIAM reports whether the authority is a Microsoft Entra External ID
// (CIAM) tenant, https://{name}.ciamlogin.com/{tenant}: it needs no
// instance discovery, and its tokens' issuer is
// https://{tenantid}.ciamlogin.com/{tenantid}/v2.0.
func (a Authority) IsCIAM() bool { return isCIAMHost(hostOnly(a.Host)) }

// IsKnownCloud reports whether the host is a known Microsoft cloud (or one
// of its aliases), which needs no instance discovery.
func (a Authority) IsKnownCloud() bool {
	_, ok := knownCloud(hostOnly(a.Host))
	return ok
}

// Aliases returns the hosts that name the same cloud as a.Host, a.Host
// first; for an unknown host, just a.Host.
func (a Authority) Aliases() []string {
	c, ok := knownCloud(hostOnly(a.Host))
	if !ok {
		return []string{a.Host}
	}
	out := []string{a.Host}
	for _, h := range c.aliases {
		if h != a.Host {
			out = append(out, h)
		}
	}
	return out
}

// WithTenant returns a copy of a for another tenant.
func (a Authority) WithTenant(tenant string) (Authority, error) {
	if err := oauth.ValidateTenant(tenant); err != nil {
		return Authority{}, err
	}
	a.Tenant = tenant
	return a, nil
}

// Base returns "scheme://host".
func (a Authority) Base() string { return a.Scheme + "://" + a.Host }

// String returns the authority URL, "scheme://host/tenant".
func (a Authority) String() string { return a.Scheme + "://" + a.Host + "/" + a.Tenant }

// keysURL is Endpoints().Keys without building the other URLs.
func (a Authority) keysURL() string {
	if a.IsADFS() {
		return a.String() + "/discovery/keys"
	}
	return a.String() + "/discovery/v2.0/keys"
}

// Endpoints are the URLs of one authority and tenant.
type Endpoints struct {
	// Authority is "https://host/tenant".
	Authority string
	// Authorize is the /authorize endpoint (authorization code flow).
	Authorize string
	// Token is the token endpoint.
	Token string
	// DeviceCode is the device authorization endpoint (RFC 8628).
	DeviceCode string
	// Logout is the end-session endpoint.
	Logout string
	// OpenIDConfiguration is the OIDC discovery document.
	OpenIDConfiguration string
	// Keys is the JSON Web Key Set that signs ID tokens.
	Keys string
	// Issuer is the expected "iss" of ID tokens; for common,
	// organizations or a domain tenant it holds the "{tenantid}"
	// placeholder, replaced by the token's own tid when validating (for
	// consumers it names the consumer tenant).
	Issuer string
}

// Endpoints returns the URLs for a. No request is made: Entra's v2.0 URL
// shapes are fixed (MSAL.NET builds them from the same templates).
func (a Authority) Endpoints() Endpoints {
	base := a.String()
	if a.IsADFS() {
		return Endpoints{
			Authority:           base,
			Authorize:           base + "/oauth2/authorize",
			Token:               base + "/oauth2/token",
			DeviceCode:          base + "/oauth2/devicecode",
			Logout:              base + "/oauth2/logout",
			OpenIDConfiguration: base + "/.well-known/openid-configuration",
			Keys:                a.keysURL(),
			Issuer:              base,
		}
	}
	issuer := base + "/v2.0"
	switch {
	case a.IsCIAM():
		// External ID names the tenant by ID in the issuer's host too,
		// whatever host and tenant form the authority uses.
		issuer = "https://{tenantid}" + ciamSuffix + "/{tenantid}/v2.0"
	case strings.EqualFold(a.Tenant, oauth.TenantConsumers):
		// Personal accounts: every token is the consumer tenant's.
		issuer = a.Base() + "/" + oauth.MSATenantID + "/v2.0"
	case a.IsTenantIndependent():
		issuer = a.Base() + "/{tenantid}/v2.0"
	case !IsGUID(a.Tenant):
		// A domain tenant: the token names the tenant by GUID.
		issuer = a.Base() + "/{tenantid}/v2.0"
	}
	return Endpoints{
		Authority:           base,
		Authorize:           base + "/oauth2/v2.0/authorize",
		Token:               base + "/oauth2/v2.0/token",
		DeviceCode:          base + "/oauth2/v2.0/devicecode",
		Logout:              base + "/oauth2/v2.0/logout",
		OpenIDConfiguration: base + "/v2.0/.well-known/openid-configuration",
		Keys:                a.keysURL(),
		Issuer:              issuer,
	}
}

// UserRealmURL returns the user realm discovery URL for username.
func (a Authority) UserRealmURL(username string) string {
	return a.Base() + "/common/userrealm/" + url.PathEscape(username) + "?api-version=1.0"
}

// InstanceDiscoveryURL returns the instance discovery URL for a: asked of
// a's own host when it is a known cloud, else of the public cloud.
func (a Authority) InstanceDiscoveryURL() string {
	host := oauth.DefaultAuthorityHost
	if a.IsKnownCloud() {
		host = a.Base()
	}
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {a.Endpoints().Authorize}}
	return host + "/common/discovery/instance?" + q.Encode()
}

func hostOnly(hostport string) string {
	if !strings.Contains(hostport, ":") {
		return hostport // no port: SplitHostPort would only build an error
	}
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
