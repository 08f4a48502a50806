package fakeauthority_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// The tests verify the fake's tokens with the standard library, written
// from RFC 7515 and RFC 7518 apart from the fake's signer; real MSAL
// verifies them too, in interop/.

// keySet is a parsed JWK Set (RFC 7517 section 5).
type keySet []map[string]any

// Len is the number of keys.
func (s keySet) Len() int { return len(s) }

// LookupKeyID returns the key whose kid is kid.
func (s keySet) LookupKeyID(kid string) (map[string]any, bool) {
	for _, k := range s {
		if k["kid"] == kid {
			return k, true
		}
	}
	return nil, false
}

// verify checks tok's RS256 signature with the key its kid names or, when
// requireKID is false and the header has no kid, with any key of s.
func (s keySet) verify(tok string, requireKID bool) error {
	h, err := jwsHeader(tok)
	if err != nil {
		return err
	}
	kid, hasKID := h["kid"].(string)
	if hasKID {
		k, ok := s.LookupKeyID(kid)
		if !ok {
			return fmt.Errorf("no key with kid %q", kid)
		}
		return verifyRS256(tok, k)
	}
	if requireKID {
		return errors.New("token has no kid")
	}
	for _, k := range s {
		if verifyRS256(tok, k) == nil {
			return nil
		}
	}
	return errors.New("no key verifies the token")
}

// jwsHeader decodes the protected header of a compact JWS.
func jwsHeader(tok string) (map[string]any, error) {
	b64, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	var h map[string]any
	return h, json.Unmarshal(b, &h)
}

// verifyRS256 checks a compact JWS with alg RS256 against the RSA JWK k
// (RFC 7518 sections 3.3 and 6.3.1).
func verifyRS256(tok string, k map[string]any) error {
	h, err := jwsHeader(tok)
	if err != nil {
		return err
	}
	if h["alg"] != "RS256" || (k["alg"] != nil && k["alg"] != "RS256") {
		return fmt.Errorf("alg %v with key alg %v", h["alg"], k["alg"])
	}
	pub, err := rsaKey(k)
	if err != nil {
		return err
	}
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(tok[:i]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

// rsaKey is the public key of an RSA JWK; n and e must be base64url
// without padding.
func rsaKey(k map[string]any) (*rsa.PublicKey, error) {
	if k["kty"] != "RSA" {
		return nil, fmt.Errorf("kty %v", k["kty"])
	}
	n, err := jwkInt(k, "n")
	if err != nil {
		return nil, err
	}
	e, err := jwkInt(k, "e")
	if err != nil {
		return nil, err
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
		return nil, fmt.Errorf("e %v", e)
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// jwkInt decodes a base64urlUInt member (RFC 7518 section 2).
func jwkInt(k map[string]any, name string) (*big.Int, error) {
	s, _ := k[name].(string)
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) == 0 || b[0] == 0 {
		return nil, fmt.Errorf("JWK member %s %q is not a minimal base64url integer", name, s)
	}
	return new(big.Int).SetBytes(b), nil
}

func fetchJWKS(t *testing.T, fa *fakeauthority.Authority) keySet {
	t.Helper()
	resp, err := fa.Client().Get(fa.AuthorityURL("common") + "/discovery/v2.0/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var set struct {
		Keys keySet `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("JWKS: %v: %s", err, b)
	}
	for _, k := range set.Keys {
		if _, err := rsaKey(k); err != nil {
			t.Fatalf("JWKS entry %v: %v", k, err)
		}
	}
	return set.Keys
}
