package oauth

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/entraauth/entraauth/internal/redact"
)

// Sentinels for the categories callers branch on. Test with errors.Is; an
// *Error matches the sentinel of its category.
var (
	// ErrInteractionRequired: the user must sign in interactively
	// (interaction_required, login_required, consent_required, or a
	// claims challenge such as AADSTS50076 MFA).
	ErrInteractionRequired = errors.New("oauth: interaction required")
	// ErrExpired: a device code, authorization code or refresh token has
	// expired (expired_token, AADSTS70008, AADSTS700082).
	ErrExpired = errors.New("oauth: code or token expired")
	// ErrDeclined: the user declined (authorization_declined, access_denied).
	ErrDeclined = errors.New("oauth: user declined")
	// ErrStateMismatch: a redirect carried a state this client did not send.
	// It is never sent to the server.
	ErrStateMismatch = errors.New("oauth: state mismatch")
	// ErrInvalidResponse: the server's answer could not be understood (not
	// JSON, truncated, an HTML page, or a success without an access token).
	ErrInvalidResponse = errors.New("oauth: invalid response")
)

// Error is the one error type for anything Microsoft Entra ID rejected, or
// answered in a way that could not be understood. Inspect it with
// errors.As; classify it with errors.Is against the sentinels above.
//
// Its text fields come from the server. The library cleans them for a
// terminal when it parses a response (Description keeps its line breaks:
// no control or bidirectional formatting character survives), except
// Claims, which must go back to the server byte for byte (as
// TokenOptions.Claims): never print Claims.
type Error struct {
	// Endpoint names what answered: "token", "devicecode", "authorize",
	// "discovery", "keys", "userrealm".
	Endpoint string
	// StatusCode is the HTTP status; 0 for an authorize redirect.
	StatusCode int
	// Code is the RFC 6749 "error" value: invalid_grant, ...
	Code string
	// Description is "error_description", e.g. "AADSTS50076: ...".
	Description string
	// AADSTS are the "error_codes" numbers.
	AADSTS []int
	// SubError is "suberror": consent_required, basic_action, ...
	SubError string
	// Claims is the claims challenge to send with the next interactive
	// request, when Entra asks for one.
	Claims string
	// CorrelationID, TraceID, Timestamp and ErrorURI are Entra's
	// diagnostics, to quote in a support request.
	CorrelationID, TraceID, Timestamp, ErrorURI string
	// Snippet is a short, secret-free excerpt of a body that could not be
	// parsed; empty when the body was a well-formed error.
	Snippet string

	Err error // an underlying cause, when there is one
}

// Error returns "oauth: <endpoint>: <code>: <first line of description>"
// with the status and correlation ID when known. The text is passed
// through the library's terminal sanitiser whoever built e, so it is safe
// to print on a terminal even when a server chose every field.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("oauth: ")
	if e.Endpoint != "" {
		b.WriteString(e.Endpoint)
		b.WriteString(": ")
	}
	if e.Code != "" {
		b.WriteString(e.Code)
	} else {
		b.WriteString("error")
	}
	if d, _, _ := strings.Cut(e.Description, "\n"); d != "" {
		b.WriteString(": ")
		b.WriteString(strings.TrimSpace(d))
	}
	if e.StatusCode != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(")")
	}
	if e.Snippet != "" {
		b.WriteString(": body: ")
		b.WriteString(strconv.Quote(e.Snippet))
	}
	if e.CorrelationID != "" {
		b.WriteString(" correlation_id=")
		b.WriteString(e.CorrelationID)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return redact.Text(b.String())
}

// HasAADSTS reports whether Entra listed code among the error's AADSTS codes.
func (e *Error) HasAADSTS(code int) bool { return slices.Contains(e.AADSTS, code) }

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is classifies e against the package's sentinels.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInteractionRequired:
		switch e.Code {
		case "interaction_required", "login_required", "consent_required":
			return true
		}
		return e.Claims != "" || e.HasAADSTS(50076) || e.HasAADSTS(50079) || e.HasAADSTS(65001)
	case ErrExpired:
		return e.Code == "expired_token" || e.HasAADSTS(70008) || e.HasAADSTS(700082) || e.HasAADSTS(70019)
	case ErrDeclined:
		return e.Code == "authorization_declined" || e.Code == "access_denied"
	case ErrStateMismatch:
		return e.Code == "state_mismatch"
	case ErrInvalidResponse:
		return e.Code == "invalid_response"
	case ErrInvalidIDToken:
		return e.Code == "invalid_id_token"
	}
	return false
}

// ErrNoScopes is returned by GetToken and Authenticate when
// TokenOptions.Scopes is empty where scopes are required.
var ErrNoScopes = errors.New("oauth: at least one scope is required")

// ErrInvalidIDToken is matched (errors.Is) by the *Error returned when an
// ID token fails validation (signature, issuer, audience, times, nonce).
var ErrInvalidIDToken = errors.New("oauth: invalid ID token")

// ErrInvalidClaims is matched (errors.Is) when TokenOptions.Claims is not
// a JSON object (nor base64 of one).
var ErrInvalidClaims = errors.New("oauth: claims is not a JSON object")

// ErrInvalidClientInfo is matched (errors.Is) by every error
// ParseClientInfo returns.
var ErrInvalidClientInfo = errors.New("oauth: invalid client_info")

// ErrAccountMismatch is matched (errors.Is) by the *Error returned when a
// token response names an account other than the one it must be for: its
// client_info disagrees with the signed ID token, a refresh returned
// another user, or a credential bound to one user (a username, login hint
// or AuthenticationRecord) was answered for another. Nothing from such a
// response is cached.
var ErrAccountMismatch = errors.New("oauth: token response is for another account")
