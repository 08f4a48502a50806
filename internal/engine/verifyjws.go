package engine

import (
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// VerifyJWS verifies a token (a compact JWS) against jwks, a JSON Web Key
// Set as an authority serves it at its jwks_uri, with the rules every ID
// token this module accepts passes: RS256 only and exactly one signature
// (RFC 7515 section 7.1); the key is chosen by the header's kid among the
// set's keys, never taken from the token (jku, jwk and x5u are ignored);
// it must be an RSA key of 2048 to 8192 bits published for signatures
// with RS256 (RFC 7517 sections 4.2 and 4.4); and where the set binds the
// key to an issuer (Entra's "issuer" member, with {tenantid} filled from
// the token's tid), the token's iss must be that issuer. It returns the
// verified payload and the kid. It checks no claim: expiry, audience and
// nonce are the caller's to judge.
func VerifyJWS(token string, jwks []byte) (payload []byte, kid string, err error) {
	jws, err := parseJWS(token)
	if err != nil {
		return nil, "", err
	}
	keys, err := parseJWKS(jwks)
	if err != nil {
		return nil, "", err
	}
	kid = jws.Signatures[0].Header.KeyID
	payload, _, err = (&keySet{keys: keys}).verifyWith(jws, kid)
	return payload, kid, err
}

// parseJWS parses a compact JWS signed with RS256 alone, refusing JWE,
// garbage and oversized input before any parsing.
func parseJWS(raw string) (*jose.JSONWebSignature, error) {
	if len(raw) > maxIDTokenLen {
		return nil, idTokenError("larger than 64 KiB")
	}
	if strings.Count(raw, ".") != 2 {
		return nil, idTokenError("not a compact JWS (3 parts)")
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, idTokenError("not an RS256 JWS")
	}
	if len(jws.Signatures) != 1 {
		return nil, idTokenError("not exactly one signature")
	}
	return jws, nil
}
