package fakeauthority

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
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
	// MisbehaveCritHeader signs validly but marks an unknown header
	// parameter critical (crit: ["x-entraauth-unknown"]), which RFC 7515
	// says a recipient must reject.
	MisbehaveCritHeader
	// MisbehaveEmbeddedKey signs with an attacker's key that is not in the
	// JWKS and carries that key in the jwk header and a jku header naming
	// {authority}/attacker/keys; a client must trust neither (the request
	// log shows whether it fetched the jku).
	MisbehaveEmbeddedKey
	// MisbehaveForeignIssuerKey signs with a key that the JWKS publishes
	// with the consumer tenant's issuer
	// (https://{host}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0), as
	// Entra's common key set carries keys bound to one tenant: the token
	// is an organisational one, so a client that binds keys to their
	// issuer must refuse it.
	MisbehaveForeignIssuerKey
	// MisbehaveSmallKey signs with a 1024-bit RSA key published in the
	// JWKS; clients must refuse RSA keys under 2048 bits.
	MisbehaveSmallKey
	// MisbehaveEncKey publishes the signing key with use "enc" (it still
	// signs); a key for encryption must not verify signatures.
	MisbehaveEncKey
)

// AttackerKeysPath is the path the jku header of [MisbehaveEmbeddedKey]
// names; no endpoint serves it, so any request to it is a client bug.
const AttackerKeysPath = "/attacker/keys"

var misbehaviorNames = map[Misbehavior]string{
	MisbehaveNone: "none", MisbehaveBadSignature: "bad-signature", MisbehaveWrongIssuer: "wrong-issuer",
	MisbehaveWrongAudience: "wrong-audience", MisbehaveWrongNonce: "wrong-nonce", MisbehaveAlgNone: "alg-none",
	MisbehaveHS256PublicKey: "hs256-public-key", MisbehaveExpired: "expired", MisbehaveUnknownKID: "unknown-kid",
	MisbehaveMissingKID: "missing-kid", MisbehaveMissingKIDSeveralKeys: "missing-kid-several-keys",
	MisbehaveCritHeader: "crit-header", MisbehaveEmbeddedKey: "embedded-key",
	MisbehaveForeignIssuerKey: "foreign-issuer-key", MisbehaveSmallKey: "small-key", MisbehaveEncKey: "enc-key",
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
	bad := newMisbehavingKey(m)
	a.mu.Lock()
	a.misbehave = m
	a.badKey = bad
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

// signIDToken signs an ID token, applying the misbehaviour mode m.
func (a *Authority) signIDToken(claims map[string]any, m Misbehavior, now time.Time, base string) (string, error) {
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
	return a.signMisbehaving(claims, m, signer, base)
}

// signMisbehaving signs claims the way mode m calls for.
func (a *Authority) signMisbehaving(claims map[string]any, m Misbehavior, signer signingKey, base string) (string, error) {
	rs := algRS256
	switch m {
	case MisbehaveAlgNone:
		return unsignedJWT(claims)
	case MisbehaveHS256PublicKey:
		return signJWT(claims, signer.Private.PublicKey.N.Bytes(), algHS256, signer.KID, nil)
	case MisbehaveUnknownKID:
		return signJWT(claims, newSigningKey().Private, rs, "unknown-"+randomID(8), nil)
	case MisbehaveForeignIssuerKey, MisbehaveSmallKey:
		a.mu.Lock()
		bad := a.badKey
		a.mu.Unlock()
		if bad != nil {
			signer = bad.key
		}
	case MisbehaveMissingKID, MisbehaveMissingKIDSeveralKeys:
		return signJWT(claims, signer.Private, rs, "", nil)
	case MisbehaveCritHeader:
		return signJWT(claims, signer.Private, rs, signer.KID, map[string]any{"crit": []string{"x-entraauth-unknown"}, "x-entraauth-unknown": true})
	case MisbehaveEmbeddedKey:
		attacker := newSigningKey()
		pub := rsaJWK(&attacker.Private.PublicKey)
		return signJWT(claims, attacker.Private, rs, attacker.KID, map[string]any{"jwk": pub, "jku": base + AttackerKeysPath})
	case MisbehaveBadSignature:
		tok, err := signJWT(claims, signer.Private, rs, signer.KID, nil)
		if err != nil {
			return "", err
		}
		return flipSignature(tok)
	}
	return signJWT(claims, signer.Private, rs, signer.KID, nil)
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
