package fakeauthority

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestSignJWT checks the compact serialization against RFC 7515 section
// 5.1 and RFC 7518 sections 3.2 and 3.3 with the standard library's
// verifiers, and that a key of the wrong type for alg is refused.
func TestSignJWT(t *testing.T) {
	rsaKey := newKeyRing(false).active().Private
	secret := []byte("hmac-secret")
	tests := []struct {
		name   string
		key    any
		alg    string
		verify func(input string, sig []byte) error
	}{
		{"RS256", rsaKey, algRS256, func(input string, sig []byte) error {
			sum := sha256.Sum256([]byte(input))
			return rsa.VerifyPKCS1v15(&rsaKey.PublicKey, crypto.SHA256, sum[:], sig)
		}},
		{"HS256", secret, algHS256, func(input string, sig []byte) error {
			mac := hmac.New(sha256.New, secret)
			mac.Write([]byte(input))
			if !hmac.Equal(mac.Sum(nil), sig) {
				return errors.New("HMAC does not match")
			}
			return nil
		}},
		{"RS256 with a secret", secret, algRS256, nil},
		{"HS256 with an RSA key", rsaKey, algHS256, nil},
		{"unknown alg", rsaKey, "PS256", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := signJWT(map[string]any{"sub": "s"}, tt.key, tt.alg, "k1", map[string]any{"x": 1})
			if tt.verify == nil {
				if err == nil {
					t.Fatalf("signJWT = %q, want an error", tok)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tok, ".")
			if len(parts) != 3 {
				t.Fatalf("%q is not a compact JWS", tok)
			}
			var hdr map[string]any
			b, err := base64.RawURLEncoding.DecodeString(parts[0])
			if err != nil || json.Unmarshal(b, &hdr) != nil {
				t.Fatalf("header %q: %v", parts[0], err)
			}
			if hdr["alg"] != tt.alg || hdr["typ"] != "JWT" || hdr["kid"] != "k1" || hdr["x"] != 1.0 {
				t.Errorf("header %v", hdr)
			}
			sig, err := base64.RawURLEncoding.DecodeString(parts[2])
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.verify(parts[0]+"."+parts[1], sig); err != nil {
				t.Errorf("signature does not verify: %v", err)
			}
		})
	}
}

// TestRSAJWK: n and e are unpadded base64url big-endian integers
// (RFC 7518 section 6.3.1), e = 65537 being "AQAB".
func TestRSAJWK(t *testing.T) {
	k := newKeyRing(false).active().Private
	jk := rsaJWK(&k.PublicKey)
	n, err := base64.RawURLEncoding.Strict().DecodeString(jk["n"].(string))
	if err != nil || jk["kty"] != "RSA" || jk["e"] != "AQAB" || len(n) != 256 || n[0] == 0 {
		t.Errorf("JWK %v (%v)", jk, err)
	}
}
