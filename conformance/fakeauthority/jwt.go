package fakeauthority

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Misbehavior makes the authority issue ID tokens that a careful client
// must reject, for the security suite. Set it with [Authority.Misbehave];
// it applies to every ID token issued until set back to [MisbehaveNone].
type Misbehavior int

// The misbehaviour modes.
const (
	MisbehaveNone Misbehavior = iota
	// MisbehaveBadSignature flips a bit of the RS256 signature.
	MisbehaveBadSignature
	// MisbehaveWrongIssuer sets iss to another host's issuer.
	MisbehaveWrongIssuer
	// MisbehaveWrongAudience sets aud to a client ID that is not the caller's.
	MisbehaveWrongAudience
	// MisbehaveWrongNonce sets nonce to a value the client did not send.
	MisbehaveWrongNonce
	// MisbehaveAlgNone sends an unsigned token: alg "none", empty signature.
	MisbehaveAlgNone
	// MisbehaveHS256PublicKey signs with HS256 using the signing key's
	// public modulus (big-endian bytes of n) as the HMAC secret, the
	// algorithm-confusion attack; kid names the RSA key.
	MisbehaveHS256PublicKey
	// MisbehaveExpired issues a token whose exp is an hour in the past
	// (iat and nbf two hours in the past).
	MisbehaveExpired
	// MisbehaveUnknownKID signs with a key that is not in the JWKS, under
	// a kid that is not in the JWKS either.
	MisbehaveUnknownKID
	// MisbehaveMissingKID omits kid; the JWKS is left as it is.
	MisbehaveMissingKID
	// MisbehaveMissingKIDSeveralKeys omits kid and makes sure the JWKS has
	// at least two keys (rotating once if needed); the token is signed by
	// the newest key.
	MisbehaveMissingKIDSeveralKeys
)

var misbehaviorNames = map[Misbehavior]string{
	MisbehaveNone: "none", MisbehaveBadSignature: "bad-signature", MisbehaveWrongIssuer: "wrong-issuer",
	MisbehaveWrongAudience: "wrong-audience", MisbehaveWrongNonce: "wrong-nonce", MisbehaveAlgNone: "alg-none",
	MisbehaveHS256PublicKey: "hs256-public-key", MisbehaveExpired: "expired", MisbehaveUnknownKID: "unknown-kid",
	MisbehaveMissingKID: "missing-kid", MisbehaveMissingKIDSeveralKeys: "missing-kid-several-keys",
}

// String names the mode, e.g. "alg-none".
func (m Misbehavior) String() string {
	if s, ok := misbehaviorNames[m]; ok {
		return s
	}
	return fmt.Sprintf("Misbehavior(%d)", int(m))
}

// Misbehave sets the misbehaviour of ID tokens issued from now on.
func (a *Authority) Misbehave(m Misbehavior) {
	if m == MisbehaveMissingKIDSeveralKeys && len(a.KeyIDs()) < 2 {
		a.RotateKey()
	}
	a.mu.Lock()
	a.misbehave = m
	a.mu.Unlock()
}

// SetIDTokenHook installs f to change the claims of every ID token before
// it is signed (nil removes it), for checks the Misbehavior modes do not
// cover: a missing sub, aud as an array, a future iat, and so on.
func (a *Authority) SetIDTokenHook(f func(claims map[string]any)) {
	a.mu.Lock()
	a.idTokenHook = f
	a.mu.Unlock()
}

// signJWT signs claims as a compact JWS with RS256 and the given key.
// kid "" omits the kid header.
func signJWT(claims map[string]any, key *rsa.PrivateKey, alg jwa.SignatureAlgorithm, secret any, kid string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set("typ", "JWT"); err != nil {
		return "", err
	}
	if kid != "" {
		if err := hdr.Set(jws.KeyIDKey, kid); err != nil {
			return "", err
		}
	}
	var k any = key
	if secret != nil {
		k = secret
	}
	b, err := jws.Sign(payload, jws.WithKey(alg, k, jws.WithProtectedHeaders(hdr)))
	return string(b), err
}

// signIDToken signs an ID token, applying the misbehaviour mode m.
func (a *Authority) signIDToken(claims map[string]any, m Misbehavior, now time.Time) (string, error) {
	a.mu.Lock()
	signer := a.keys.active()
	hook := a.idTokenHook
	a.mu.Unlock()
	switch m {
	case MisbehaveWrongIssuer:
		claims["iss"] = "https://login.evil.example/" + fmt.Sprint(claims["tid"]) + "/v2.0"
	case MisbehaveWrongAudience:
		claims["aud"] = "00000000-0000-0000-0000-00000000bad0"
	case MisbehaveWrongNonce:
		claims["nonce"] = "not-the-nonce-" + randomID(8)
	case MisbehaveExpired:
		claims["iat"], claims["nbf"] = now.Add(-2*time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	}
	if hook != nil {
		hook(claims)
	}
	switch m {
	case MisbehaveAlgNone:
		return unsignedJWT(claims)
	case MisbehaveHS256PublicKey:
		return signJWT(claims, nil, jwa.HS256(), signer.Private.PublicKey.N.Bytes(), signer.KID)
	case MisbehaveUnknownKID:
		return signJWT(claims, newSigningKey().Private, jwa.RS256(), nil, "unknown-"+randomID(8))
	case MisbehaveMissingKID, MisbehaveMissingKIDSeveralKeys:
		return signJWT(claims, signer.Private, jwa.RS256(), nil, "")
	case MisbehaveBadSignature:
		tok, err := signJWT(claims, signer.Private, jwa.RS256(), nil, signer.KID)
		if err != nil {
			return "", err
		}
		return flipSignature(tok)
	}
	return signJWT(claims, signer.Private, jwa.RS256(), nil, signer.KID)
}

// unsignedJWT is an alg "none" token with an empty signature.
func unsignedJWT(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + ".", nil
}

// flipSignature flips one bit of a compact JWS's signature.
func flipSignature(tok string) (string, error) {
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) == 0 {
		return "", fmt.Errorf("fakeauthority: cannot decode signature")
	}
	sig[len(sig)/2] ^= 0x01
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig), nil
}
