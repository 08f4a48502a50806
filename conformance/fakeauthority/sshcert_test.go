package fakeauthority

import "testing"

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
