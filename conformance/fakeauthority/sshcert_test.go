package fakeauthority

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// FuzzParseReqCnf: req_cnf is read from any client; a key it accepts is
// an RSA key.
func FuzzParseReqCnf(f *testing.F) {
	f.Add(`{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"k"}`, "k")
	f.Add(`{"kty":"EC","kid":"k"}`, "k")
	f.Fuzz(func(t *testing.T, raw, kid string) {
		pub, err := parseReqCnf(raw, kid)
		if err == nil && pub.Type() != "ssh-rsa" {
			t.Fatalf("accepted a %s key", pub.Type())
		}
	})
}

// TestParseReqCnfRefuses: req_cnf must be an RSA JWK of at least 2048
// bits whose kid, when it has one, is key_id.
func TestParseReqCnfRefuses(t *testing.T) {
	n := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xc5}, 256))
	for _, tc := range []struct {
		name, raw, kid string
		ok             bool
	}{
		{"good", `{"kty":"RSA","n":"` + n + `","e":"AQAB","kid":"k"}`, "k", true},
		{"kid is not key_id", `{"kty":"RSA","n":"` + n + `","e":"AQAB","kid":"k"}`, "other", false},
		{"no kid (MSAL Python's end-to-end test)", `{"kty":"RSA", "n":"` + n + `", "e":"AQAB"}`, "key1", true},
		{"EC", `{"kty":"EC","n":"` + n + `","e":"AQAB","kid":"k"}`, "k", false},
		{"short modulus", `{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"k"}`, "k", false},
		{"even exponent", `{"kty":"RSA","n":"` + n + `","e":"Ag","kid":"k"}`, "k", false},
		{"not JSON", `kty=RSA`, "k", false},
	} {
		if _, err := parseReqCnf(tc.raw, tc.kid); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
