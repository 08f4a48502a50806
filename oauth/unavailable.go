package oauth

import (
	"errors"
	"strings"
)

// CredentialUnavailableError reports that a credential cannot run on this
// machine or in this process: no Azure CLI session, no OS broker, no
// browser that can open, no terminal to show a device code on,
// DisableAutomaticAuthentication with nothing cached. It says nothing
// about the user or the authority: no request was refused, so a caller
// (or [Chain]) may try another way to sign in. An authority's refusal (a
// wrong password, a revoked refresh token, MFA required) is an [*Error]
// instead, and is never wrapped in this type.
//
// Test for it with [IsCredentialUnavailable] or errors.As.
type CredentialUnavailableError struct {
	// Credential names the credential that could not run, for example
	// "azurecli", "broker", "loopback", "devicecode".
	Credential string
	// Reason says what is missing and, where there is one, what to do
	// about it, for example "no Azure CLI session; run az login".
	Reason string
	// Err is the underlying cause, when there is one (nil otherwise).
	Err error
}

// Error returns "oauth: <credential> unavailable: <reason>: <cause>",
// leaving out the parts that are empty.
func (e *CredentialUnavailableError) Error() string {
	var b strings.Builder
	b.WriteString("oauth: ")
	if e.Credential != "" {
		b.WriteString(e.Credential)
		b.WriteString(" ")
	}
	b.WriteString("unavailable")
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *CredentialUnavailableError) Unwrap() error { return e.Err }

// IsCredentialUnavailable reports whether err is, or wraps, a
// [*CredentialUnavailableError]: the credential could not run here and
// another one may be tried. It is false for nil and for an authority's
// refusal ([*Error]).
func IsCredentialUnavailable(err error) bool {
	var u *CredentialUnavailableError
	return errors.As(err, &u)
}
