package engine

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// signRS256 makes a compact JWS by hand (RFC 7515 section 3.1), so the
// verifier is checked against an encoder it does not share.
func signRS256(t testing.TB, k *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

// VerifyJWS applies the ID-token key rules to any token and key set: the
// kid picks the key, the key must be a usable RS256 key bound to the
// token's issuer, and the signature must hold.
func TestVerifyJWS(t *testing.T) {
	jwk, key := rsaJWK(t, 2048)
	other, otherKey := rsaJWK(t, 2048)
	const iss = "https://login.microsoftonline.com/7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f/v2.0"
	claims := map[string]any{"iss": iss, "tid": "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f", "sub": "s"}
	set := func(keys ...map[string]any) []byte { b, _ := json.Marshal(map[string]any{"keys": keys}); return b }
	with := func(m map[string]any, k, v string) map[string]any {
		out := map[string]any{}
		for a, b := range m {
			out[a] = b
		}
		out[k] = v
		return out
	}
	good := signRS256(t, key, map[string]any{"alg": "RS256", "kid": "k"}, claims)
	for _, tc := range []struct {
		name, token string
		jwks        []byte
		err         string // "" for verified
	}{
		{"verifies", good, set(jwk), ""},
		{"bound to the token's issuer", good, set(with(jwk, "issuer", "https://login.microsoftonline.com/{tenantid}/v2.0")), ""},
		{"bound to another issuer", good, set(with(jwk, "issuer", "https://evil.example/{tenantid}/v2.0")), "another issuer"},
		{"another key under the kid", good, set(with(other, "kid", "k")), "does not verify"},
		{"kid not in the set", good, set(with(jwk, "kid", "z")), "no key"},
		{"key for encryption", good, set(with(jwk, "use", "enc")), "RS256 signatures"},
		{"key for another algorithm", good, set(with(jwk, "alg", "RS384")), "RS256 signatures"},
		{"tampered payload", good[:strings.Index(good, ".")+1] + "eyJpc3MiOiJ4In0" + good[strings.LastIndex(good, "."):], set(jwk), "does not verify"},
		{"alg none", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", set(jwk), "RS256"},
		{"typ and x5t are ignored", signRS256(t, key, map[string]any{"alg": "RS256", "kid": "k", "typ": "JWT", "x5t": "abc"}, claims), set(jwk), ""},
		{"a crit extension", signRS256(t, key, map[string]any{"alg": "RS256", "kid": "k", "crit": []string{"b64"}, "b64": false}, claims), set(jwk), "RS256"},
		{"a key in the header is not used", signRS256(t, otherKey, map[string]any{"alg": "RS256", "kid": "k", "jwk": other}, claims), set(jwk), "does not verify"},
		{"padded base64", good + "=", set(jwk), "RS256"},
		{"a line break", good[:20] + "\n" + good[20:], set(jwk), "RS256"},
		{"four parts", good + ".x", set(jwk), "3 parts"},
		{"JWE (five parts)", "a.b.c.d.e", set(jwk), "3 parts"},
		{"empty signature", good[:strings.LastIndex(good, ".")+1], set(jwk), "RS256"},
		{"not a key set", good, []byte(`[]`), "JWKS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload, kid, err := VerifyJWS(tc.token, tc.jwks)
			if tc.err == "" {
				if err != nil || kid != "k" || !strings.Contains(string(payload), iss) {
					t.Fatalf("VerifyJWS = %q, %q, %v", payload, kid, err)
				}
				return
			}
			if err == nil || payload != nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("VerifyJWS = %q, %v; want an error saying %q", payload, err, tc.err)
			}
		})
	}
}

// FuzzVerifyJWS: no token and key set make VerifyJWS panic, and it never
// returns a payload with an error.
func FuzzVerifyJWS(f *testing.F) {
	jwk, key := rsaJWK(f, 2048)
	set, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
	f.Add(signRS256(f, key, map[string]any{"alg": "RS256", "kid": "k"}, map[string]any{"iss": "x"}), set)
	f.Add("a.b.c", []byte(`{"keys":[{"kty":"RSA","kid":"k","use":"enc"}]}`))
	f.Fuzz(func(t *testing.T, token string, jwks []byte) {
		payload, _, err := VerifyJWS(token, jwks)
		if err != nil && payload != nil {
			t.Fatalf("a payload with an error: %v", err)
		}
		if err != nil {
			return
		}
		// Whatever verifies here parses as an RS256 JWS with go-jose too,
		// to the same payload: the parser is checked against one it does
		// not share.
		j, jerr := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
		if jerr != nil || len(j.Signatures) != 1 || !bytes.Equal(j.UnsafePayloadWithoutVerification(), payload) {
			t.Fatalf("verified here, but go-jose reads it otherwise: %v", jerr)
		}
	})
}

// A token go-jose signs (an implementation this package does not share)
// verifies, with the payload it signed; one it signs with another
// algorithm does not.
func TestVerifyJWSGoJoseSigned(t *testing.T) {
	jwk, key := rsaJWK(t, 2048)
	set, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
	payload := []byte(`{"iss":"https://login.microsoftonline.com/x/v2.0","sub":"s"}`)
	for _, tc := range []struct {
		alg jose.SignatureAlgorithm
		ok  bool
	}{{jose.RS256, true}, {jose.PS256, false}, {jose.RS512, false}} {
		t.Run(string(tc.alg), func(t *testing.T) {
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: tc.alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k"))
			if err != nil {
				t.Fatal(err)
			}
			obj, err := s.Sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			token, err := obj.CompactSerialize()
			if err != nil {
				t.Fatal(err)
			}
			got, kid, err := VerifyJWS(token, set)
			if tc.ok != (err == nil) || (tc.ok && (!bytes.Equal(got, payload) || kid != "k")) {
				t.Fatalf("VerifyJWS(%s) = %q, %q, %v; want ok=%v", tc.alg, got, kid, err, tc.ok)
			}
		})
	}
}
