package oauth

import (
	"log/slog"
	"net/http"

	"github.com/entraauth/entraauth/cache"
)

// AzureCLIClientID is the Azure CLI's public client ID, the default
// client of every credential (as azidentity's).
const AzureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// ClientOptions are the options every credential shares; each flow's
// Options embeds it. The zero value means the defaults.
type ClientOptions struct {
	// AuthorityHost is the cloud's authority host, for example
	// "https://login.microsoftonline.us". "" means env
	// AZURE_AUTHORITY_HOST, else [DefaultAuthorityHost].
	AuthorityHost string
	// TenantID is the tenant to sign in to; "" means the
	// AuthenticationRecord's tenant, else "organizations". Tokens cached
	// through "organizations", "common" or "consumers" come from the
	// account's home tenant, so they serve a credential for that tenant
	// (one built from the record of such a sign-in) with no request, and
	// the other way round; another tenant uses its own tokens only.
	TenantID string
	// HTTPClient sends every request; nil means http.DefaultClient.
	// Redirects are never followed on the authority's endpoints.
	HTTPClient *http.Client
	// Cache holds tokens; nil means a private in-memory cache.
	Cache *cache.Cache
	// AuthenticationRecord names the account to sign in silently, as
	// returned by Authenticate. It binds the client to that account: only
	// its cached tokens are served, even when it was removed and another
	// account is the only one left, and a sign-in that returns another
	// account fails with an error matching ErrAccountMismatch.
	AuthenticationRecord AuthenticationRecord
	// DisableAutomaticAuthentication makes GetToken return an
	// *AuthenticationRequiredError instead of running the interactive
	// step, so an application decides when to prompt. When no account is
	// cached at all it comes wrapped in a *CredentialUnavailableError
	// (errors.As finds both), so a [Chain] moves on to the next credential.
	DisableAutomaticAuthentication bool
	// DisableInstanceDiscovery skips validating an unknown authority host
	// with Entra's instance discovery: set it for AD FS-like or private
	// clouds (and for a local fake authority). The host is then trusted
	// as configured, so only set it for a host you control or trust.
	DisableInstanceDiscovery bool
	// AdditionallyAllowedTenants are the tenants TokenOptions.TenantID may
	// name besides TenantID; "*" allows any. Env
	// AZURE_ADDITIONALLY_ALLOWED_TENANTS (separated by ';') adds to it.
	AdditionallyAllowedTenants []string
	// Logger receives events (cache hit or miss, refresh, requests and
	// responses with correlation IDs); nil discards them.
	Logger *slog.Logger
	// LogPII allows usernames in log events. Tokens, codes and passwords
	// are never logged.
	LogPII bool
}

// TenantNotAllowedError is returned when TokenOptions.TenantID names a
// tenant that is not in ClientOptions.AdditionallyAllowedTenants.
type TenantNotAllowedError struct {
	// TenantID is the tenant requested.
	TenantID string
}

func (e *TenantNotAllowedError) Error() string {
	return "oauth: tenant " + e.TenantID + " is not allowed: add it to AdditionallyAllowedTenants " +
		"(or env AZURE_ADDITIONALLY_ALLOWED_TENANTS), or \"*\" to allow any tenant"
}
