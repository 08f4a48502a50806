package oauth

import (
	"context"
	"time"
)

// Credential is implemented by every flow in this module. Its shape mirrors
// azcore.TokenCredential, so the adapter in azadapter/ is a field copy.
type Credential interface {
	// GetToken returns an access token for opts.Scopes, from the cache when
	// a valid one is there, else by refreshing, else by the flow's own
	// sign-in step.
	GetToken(ctx context.Context, opts TokenOptions) (AccessToken, error)
}

// TokenOptions are the per-call options shared by every flow.
type TokenOptions struct {
	// Scopes are the scopes to request, for example
	// "https://graph.microsoft.com/.default". At least one is required.
	Scopes []string

	// Claims is a claims challenge (the decoded JSON of a
	// WWW-Authenticate "claims" parameter). A non-empty value bypasses the
	// cached access token.
	Claims string

	// TenantID requests a token from this tenant instead of the
	// credential's own. It must be allowed by the credential's
	// AdditionallyAllowedTenants.
	TenantID string

	// EnableCAE declares the client capable of continuous access
	// evaluation ("cp1"). CAE and non-CAE tokens are cached apart.
	EnableCAE bool

	// Bound, when set, requests a token of another type bound to a key
	// (an SSH certificate: see package sshcert) instead of a bearer token.
	// nil is a bearer request; a bearer request never returns a bound
	// token and a bound request never a bearer one.
	Bound *BoundToken
}

// AccessToken is an access token and its lifetime. The field names follow
// azcore.AccessToken.
type AccessToken struct {
	// Token is the bearer token to send.
	Token string
	// ExpiresOn is when the token stops being valid.
	ExpiresOn time.Time
	// RefreshOn is when the token should be renewed ahead of expiry (from
	// "refresh_in"); zero when the server did not say.
	RefreshOn time.Time
	// TokenType is the token's type, normally "Bearer".
	TokenType string
}

// AuthenticationRecord identifies a signed-in account without holding any
// secret, so an application can store it and sign the same user in
// silently later. Its JSON form matches azidentity's.
type AuthenticationRecord struct {
	// Authority is the authority host as azidentity writes it,
	// "https://login.microsoftonline.com". A host without a scheme, as
	// azure-identity (Python) writes it, is read as https.
	Authority string `json:"authority"`
	// ClientID is the application (client) ID the account signed in to.
	ClientID string `json:"clientId"`
	// HomeAccountID is "uid.utid" from client_info.
	HomeAccountID string `json:"homeAccountId"`
	// TenantID is the tenant the account signed in to (the ID token's tid).
	TenantID string `json:"tenantId"`
	// Username is the account's sign-in name (preferred_username).
	Username string `json:"username"`
	// Version is the record format version, "1.0".
	Version string `json:"version"`
}

// Account is a signed-in account as the token cache knows it.
type Account struct {
	// HomeAccountID is "uid.utid", from client_info.
	HomeAccountID string
	// Environment is the authority host the account signed in through.
	Environment string
	// Realm is the tenant ID of the token's tenant.
	Realm string
	// Username is preferred_username, else upn.
	Username string
	// LocalAccountID is the object ID (oid) in Realm, else sub.
	LocalAccountID string
}
