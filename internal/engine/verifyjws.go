package engine

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
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
	payload, _, err = (&keySet{keys: keys}).verifyWith(jws, jws.kid)
	return payload, jws.kid, err
}

// compactJWS is a parsed JWS in the compact serialization (RFC 7515
// section 7.1), whose header names RS256. Its payload is decoded but not
// trusted until verify says the signature holds.
type compactJWS struct {
	kid     string
	input   string // the JWS Signing Input: header "." payload, as received (RFC 7515 section 5.2 step 8)
	payload []byte
	sig     []byte
}

// jwsHeader is what the header may say. Members this package does not
// read (typ, x5t, and jku, jwk, x5u, which name keys it never takes from
// a token) are ignored.
type jwsHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// parseJWS parses a compact JWS signed with RS256 alone, refusing JWE,
// garbage and oversized input before any parsing.
func parseJWS(raw string) (*compactJWS, error) {
	if len(raw) > maxIDTokenLen {
		return nil, idTokenError("larger than 64 KiB")
	}
	h, rest, _ := strings.Cut(raw, ".")
	p, s, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(s, ".") {
		return nil, idTokenError("not a compact JWS (3 parts)")
	}
	// base64url without padding is all a compact JWS may hold (RFC 7515
	// section 2; section 7.1). The decoder would skip CR and LF, and a
	// token is compared as sent, so anything else is refused here.
	if !isBase64URL(h) || !isBase64URL(p) || !isBase64URL(s) || h == "" || s == "" {
		return nil, idTokenError("not an RS256 JWS")
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(h)
	payload, err2 := base64.RawURLEncoding.DecodeString(p)
	sig, err3 := base64.RawURLEncoding.DecodeString(s)
	var hdr jwsHeader
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &hdr) != nil {
		return nil, idTokenError("not an RS256 JWS")
	}
	// RFC 7515 section 4.1.11: an extension named in crit must be
	// understood or the JWS refused; this package understands none.
	if hdr.Alg != "RS256" || hdr.Crit != nil {
		return nil, idTokenError("not an RS256 JWS")
	}
	return &compactJWS{kid: hdr.Kid, input: raw[:len(h)+1+len(p)], payload: payload, sig: sig}, nil
}

// verify reports whether the signature is pub's RSASSA-PKCS1-v1_5 with
// SHA-256 over the signing input (RFC 7518 section 3.3).
func (j *compactJWS) verify(pub *rsa.PublicKey) bool {
	sum := sha256.Sum256([]byte(j.input))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], j.sig) == nil
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
