package oauth

import (
	"errors"
)

// BoundToken asks for a token bound to a key instead of a bearer token,
// as MSAL Python's "data" parameter does for SSH certificates
// (AzureAD/microsoft-authentication-library-for-python, msal/application.py:
// token_type "ssh-cert" requires a key_id; the cache entry keeps key_id and
// a silent request matches on it).
type BoundToken struct {
	// TokenType is the token_type form field, for example "ssh-cert".
	TokenType string
	// KeyID is the key_id form field. A cached token is returned only to
	// a request with the same KeyID.
	KeyID string
	// Params are further form fields, for example "req_cnf" (the public
	// key as a JWK).
	Params map[string]string
}

// ErrBoundToken is returned for a BoundToken without a token type other
// than Bearer or without a key ID.
var ErrBoundToken = errors.New("oauth: a bound token needs a token type other than Bearer and a key ID")
