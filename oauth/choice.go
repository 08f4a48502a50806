package oauth

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// NoAccountError is the cause GetToken reports when it must sign in
// silently (automatic authentication is off, or the flow has no step that
// can run) and the cache names no single account for the credential:
// none, or several with nothing (an [AuthenticationRecord], a username)
// to choose between them. It never falls back to one of them: with two
// users in a shared cache, neither one's token is returned. It comes
// wrapped in a [*CredentialUnavailableError] (so a [Chain] moves on) and
// wraps an [*AuthenticationRequiredError] (errors.As finds all three).
type NoAccountError struct {
	// Credential names the credential, for example "devicecode".
	Credential string
	// Found is the number of distinct cached accounts the credential
	// could serve: 0, or 2 and more.
	Found int
	// TokenOptions is the request that found no account.
	TokenOptions TokenOptions
}

func (e *NoAccountError) Error() string {
	if e.Found == 0 {
		return "oauth: " + e.Credential + ": no signed-in account in the cache for this client; sign in first (Authenticate)"
	}
	return fmt.Sprintf("oauth: %s: %d accounts in the cache and nothing says which to use; "+
		"pass one's record (oauth.RecordFromAccount of an entry of Accounts) as ClientOptions.AuthenticationRecord",
		e.Credential, e.Found)
}

// Unwrap returns the [*AuthenticationRequiredError] for the request (it
// matches ErrInteractionRequired).
func (e *NoAccountError) Unwrap() error {
	return &AuthenticationRequiredError{TokenOptions: e.TokenOptions}
}

// noAccount is GetToken's error when no account serves silently and no
// interactive step may run.
func (c *Client) noAccount(ctx context.Context, opts TokenOptions) error {
	_, n := c.pickAccount()
	c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: no single account to sign in silently", slog.Int("accounts", n))
	return &CredentialUnavailableError{Credential: c.name,
		Reason: "no account to sign in silently and automatic authentication is disabled",
		Err:    &NoAccountError{Credential: c.name, Found: n, TokenOptions: opts}}
}

// SetName names the credential built over this client in its errors
// ("devicecode", "loopback", ...). Call it before the first GetToken;
// the default is "oauth".
func (c *Client) SetName(name string) {
	if name != "" {
		c.name = name
	}
}

// RecordFromAccount returns the [AuthenticationRecord] of a cached
// account (an entry of a credential's Accounts) for clientID ("" means
// [AzureCLIClientID]): pass it as ClientOptions.AuthenticationRecord to
// bind a credential to that user, for example when the cache holds
// several. The authority is the account's environment (its host, over
// https) and the tenant its realm. The client ID is required because a
// record is for one application: a credential for another refuses it.
func RecordFromAccount(clientID string, a Account) AuthenticationRecord {
	if clientID == "" {
		clientID = AzureCLIClientID
	}
	auth := ""
	if a.Environment != "" {
		auth = "https://" + strings.ToLower(a.Environment)
	}
	return AuthenticationRecord{
		Authority:     auth,
		ClientID:      clientID,
		HomeAccountID: a.HomeAccountID,
		TenantID:      a.Realm,
		Username:      a.Username,
		Version:       "1.0",
	}
}
