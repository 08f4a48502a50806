package fakeauthority

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// The fake's JOSE is written against the RFCs with the standard library
// alone, on purpose, apart from the client's verifier
// (internal/engine/verifyjws.go), so that neither shares the other's bugs;
// go-jose checks both in tests. Real MSAL Go and MSAL
// Python validate these tokens in interop/.

// JWS algorithm names (RFC 7518 section 3.1).
const (
	algRS256 = "RS256"
	algHS256 = "HS256"
)

// signJWT signs claims as a JWS compact serialization (RFC 7515 sections
// 3.1 and 5.1) with alg and key: RS256 (RFC 7518 section 3.3) takes an
// *rsa.PrivateKey, HS256 (RFC 7518 section 3.2) a []byte secret. The
// protected header is typ JWT, kid (omitted when "") and any extra
// parameters.
func signJWT(claims map[string]any, key any, alg, kid string, extra map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	hdr := map[string]any{"alg": alg, "typ": "JWT"}
	if kid != "" {
		hdr["kid"] = kid
	}
	for k, v := range extra {
		hdr[k] = v
	}
	h, err := json.Marshal(hdr)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(payload)
	sig, err := jwsSign(input, key, alg)
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// jwsSign computes the JWS signature of the signing input (RFC 7515
// section 5.1 step 5).
func jwsSign(input string, key any, alg string) ([]byte, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if alg != algRS256 {
			break
		}
		sum := sha256.Sum256([]byte(input))
		return rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	case []byte:
		if alg != algHS256 {
			break
		}
		mac := hmac.New(sha256.New, k)
		mac.Write([]byte(input))
		return mac.Sum(nil), nil
	}
	return nil, fmt.Errorf("fakeauthority: cannot sign %s with a %T", alg, key)
}

// rsaJWK is the public JWK of pub (RFC 7517 section 4, RFC 7518 section
// 6.3.1): n and e as unsigned big-endian integers, base64url without
// padding.
func rsaJWK(pub *rsa.PublicKey) map[string]any {
	enc := base64.RawURLEncoding
	return map[string]any{
		"kty": "RSA",
		"n":   enc.EncodeToString(pub.N.Bytes()),
		"e":   enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}
