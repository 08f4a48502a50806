package fakeauthority_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// idToken gets an ID token through the password grant.
func idToken(t *testing.T, fa *fakeauthority.Authority) string {
	t.Helper()
	status, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("openid profile"))
	if status != 200 {
		t.Fatalf("token: %d %v", status, body)
	}
	return body["id_token"].(string)
}

func verifies(t *testing.T, fa *fakeauthority.Authority, tok string) bool {
	t.Helper()
	return fetchJWKS(t, fa).verify(tok, false) == nil
}

func TestMisbehaviorModes(t *testing.T) {
	iss := "https://login.microsoftonline.com/" + fakeauthority.DefaultTenantID + "/v2.0"
	tests := []struct {
		mode  fakeauthority.Misbehavior
		check func(t *testing.T, fa *fakeauthority.Authority, tok string)
	}{
		{fakeauthority.MisbehaveNone, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if !verifies(t, fa, tok) {
				t.Error("a well-behaved token does not verify")
			}
		}},
		{fakeauthority.MisbehaveBadSignature, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if verifies(t, fa, tok) || header(t, tok)["alg"] != "RS256" {
				t.Error("bad-signature token verifies or is not RS256")
			}
		}},
		{fakeauthority.MisbehaveWrongIssuer, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if c := claims(t, tok); c["iss"] == iss || !verifies(t, fa, tok) {
				t.Errorf("iss %v (want another issuer, validly signed)", c["iss"])
			}
		}},
		{fakeauthority.MisbehaveWrongAudience, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if c := claims(t, tok); c["aud"] == fakeauthority.AzureCLIClientID || !verifies(t, fa, tok) {
				t.Errorf("aud %v", c["aud"])
			}
		}},
		{fakeauthority.MisbehaveWrongNonce, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if n, _ := claims(t, tok)["nonce"].(string); !strings.HasPrefix(n, "not-the-nonce-") {
				t.Errorf("nonce %q", n)
			}
		}},
		{fakeauthority.MisbehaveAlgNone, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if header(t, tok)["alg"] != "none" || !strings.HasSuffix(tok, ".") {
				t.Errorf("token %q is not an unsigned alg none token", tok)
			}
		}},
		{fakeauthority.MisbehaveHS256PublicKey, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			h := header(t, tok)
			set := fetchJWKS(t, fa)
			key, ok := set.LookupKeyID(h["kid"].(string))
			if h["alg"] != "HS256" || !ok {
				t.Fatalf("header %v", h)
			}
			pub, err := rsaKey(key)
			if err != nil {
				t.Fatal(err)
			}
			n := pub.N.Bytes()
			i := strings.LastIndexByte(tok, '.')
			mac := hmac.New(sha256.New, n)
			mac.Write([]byte(tok[:i]))
			if base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) != tok[i+1:] {
				t.Error("HS256 signature is not an HMAC keyed by the published modulus")
			}
		}},
		{fakeauthority.MisbehaveExpired, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			exp := int64(claims(t, tok)["exp"].(float64))
			if exp >= time.Now().Unix() || !verifies(t, fa, tok) {
				t.Errorf("exp %d is not in the past", exp)
			}
		}},
		{fakeauthority.MisbehaveUnknownKID, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			kid, _ := header(t, tok)["kid"].(string)
			if _, ok := fetchJWKS(t, fa).LookupKeyID(kid); ok || kid == "" || verifies(t, fa, tok) {
				t.Errorf("kid %q is published or the token verifies", kid)
			}
		}},
		{fakeauthority.MisbehaveMissingKID, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if _, ok := header(t, tok)["kid"]; ok || fetchJWKS(t, fa).Len() != 1 {
				t.Error("kid present, or JWKS changed")
			}
		}},
		{fakeauthority.MisbehaveMissingKIDSeveralKeys, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if _, ok := header(t, tok)["kid"]; ok || fetchJWKS(t, fa).Len() < 2 || !verifies(t, fa, tok) {
				t.Error("kid present, JWKS has fewer than two keys, or no key verifies the token")
			}
		}},
		{fakeauthority.MisbehaveCritHeader, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			crit, _ := header(t, tok)["crit"].([]any)
			if len(crit) != 1 || crit[0] != "x-entraauth-unknown" {
				t.Errorf("crit %v", crit)
			}
		}},
		{fakeauthority.MisbehaveEmbeddedKey, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			h := header(t, tok)
			if h["jwk"] == nil || h["jku"] != fa.URL()+fakeauthority.AttackerKeysPath || verifies(t, fa, tok) {
				t.Errorf("header %v; the token must carry jwk and jku and not verify with the JWKS", h)
			}
			// It does verify with the embedded key: the attack is real.
			k, _ := h["jwk"].(map[string]any)
			if err := verifyRS256(tok, k); err != nil {
				t.Errorf("token does not verify with its own embedded key: %v", err)
			}
		}},
		{fakeauthority.MisbehaveForeignIssuerKey, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			k := signingJWK(t, fa, tok)
			if !strings.Contains(k["issuer"].(string), "/9188040d-6c67-4c5b-b112-36a304b66dad/") {
				t.Errorf("signing key's issuer %v is not the consumer tenant's", k["issuer"])
			}
		}},
		{fakeauthority.MisbehaveSmallKey, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			pub, err := rsaKey(signingJWK(t, fa, tok))
			if err != nil || pub.N.BitLen() != 1024 {
				t.Errorf("signing key: %v, want a 1024-bit RSA key", err)
			}
		}},
		{fakeauthority.MisbehaveEncKey, func(t *testing.T, fa *fakeauthority.Authority, tok string) {
			if k := signingJWK(t, fa, tok); k["use"] != "enc" {
				t.Errorf("signing key's use %v, want enc", k["use"])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			fa := fakeauthority.New(nil)
			fa.Misbehave(tt.mode)
			tt.check(t, fa, idToken(t, fa))
		})
	}
}

func TestIDTokenHook(t *testing.T) {
	fa := fakeauthority.New(nil)
	fa.SetIDTokenHook(func(c map[string]any) {
		delete(c, "sub")
		c["aud"] = []string{fakeauthority.AzureCLIClientID, "evil"}
	})
	c := claims(t, idToken(t, fa))
	if _, ok := c["sub"]; ok {
		t.Error("hook did not remove sub")
	}
	if aud, _ := c["aud"].([]any); len(aud) != 2 {
		t.Errorf("aud %v", c["aud"])
	}
	fa.SetIDTokenHook(nil)
	if _, ok := claims(t, idToken(t, fa))["sub"]; !ok {
		t.Error("removing the hook did not restore sub")
	}
}

// signingJWK is the published key that tok's kid names; tok must verify
// with it.
func signingJWK(t *testing.T, fa *fakeauthority.Authority, tok string) map[string]any {
	t.Helper()
	kid, _ := header(t, tok)["kid"].(string)
	k, ok := fetchJWKS(t, fa).LookupKeyID(kid)
	if !ok {
		t.Fatalf("kid %q is not published", kid)
	}
	if err := verifyRS256(tok, k); err != nil {
		t.Fatalf("token does not verify with its published key: %v", err)
	}
	return k
}
