package oauth

import (
	"fmt"
	"strings"
)

// DefaultAuthenticateScope is what Authenticate asks for when
// TokenOptions.Scopes is empty (Azure Resource Manager, as azidentity).
const DefaultAuthenticateScope = "https://management.core.windows.net//.default"

// AuthenticationRequiredError is returned by GetToken when the request
// needs an interactive sign-in and DisableAutomaticAuthentication is set.
// Call the credential's Authenticate with TokenOptions to sign in. It
// matches ErrInteractionRequired with errors.Is.
type AuthenticationRequiredError struct {
	// TokenOptions is the request that needs the sign-in.
	TokenOptions TokenOptions
	// Err is the authority's refusal of the cached refresh token that
	// made the sign-in necessary (revoked, expired, MFA required), nil
	// when there was none (nothing cached).
	Err *Error
}

func (e *AuthenticationRequiredError) Error() string {
	return "oauth: authentication required for scopes " + strings.Join(e.TokenOptions.Scopes, " ") +
		": call Authenticate to sign in interactively"
}

// Is reports whether target is ErrInteractionRequired.
func (e *AuthenticationRequiredError) Is(target error) bool { return target == ErrInteractionRequired }

// Unwrap returns the authority's refusal, if any.
func (e *AuthenticationRequiredError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

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
