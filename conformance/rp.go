package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// rpChecks are the relying-party checks of the OpenID Foundation's RP
// test plans (basic and config), adapted to a public client: a bad ID
// token is refused, nothing from its response is cached, and the client
// makes no further call (as the OpenID suite asserts, by waiting).
func rpChecks() []check {
	mis := func(name, desc string, m fakeauthority.Misbehavior) check {
		return check{name: name, desc: desc, run: func(k *kit) {
			k.expectRejected(func() { k.fa().Misbehave(m) }, func() { k.fa().Misbehave(fakeauthority.MisbehaveNone) })
		}}
	}
	hook := func(name, desc string, nonce bool, f func(claims map[string]any)) check {
		return check{name: name, desc: desc, run: func(k *kit) {
			if nonce && !k.sendsNonce() {
				k.notApplicable(name, "no authorization request: this grant carries no nonce")
			}
			k.expectRejected(func() { k.fa().SetIDTokenHook(f) }, func() { k.fa().SetIDTokenHook(nil) })
		}}
	}
	return []check{
		mis("id-token-bad-signature", "ID token with an invalid RS256 signature (rp-id_token-bad-sig-rs256)", fakeauthority.MisbehaveBadSignature),
		mis("id-token-alg-none", "unsigned ID token, alg none (rp-id_token-sig-none)", fakeauthority.MisbehaveAlgNone),
		mis("id-token-hs256-public-key", "ID token MACed with HS256 keyed by the RSA public key (algorithm confusion)", fakeauthority.MisbehaveHS256PublicKey),
		mis("id-token-unknown-kid", "ID token signed by a key that is not in the JWKS, under an unknown kid", fakeauthority.MisbehaveUnknownKID),
		{name: "id-token-missing-kid-several-keys", desc: "ID token without kid, the JWKS has several keys but not the signer's (trying each key is allowed; accepting is not)", run: checkMissingKID},
		mis("id-token-wrong-issuer", "ID token whose iss names another host (rp-id_token-issuer-mismatch)", fakeauthority.MisbehaveWrongIssuer),
		mis("id-token-wrong-audience", "ID token whose aud is another client (rp-id_token-aud)", fakeauthority.MisbehaveWrongAudience),
		mis("id-token-expired", "ID token whose exp is an hour past", fakeauthority.MisbehaveExpired),
		mis("id-token-crit-header", "ID token with an unknown critical header (RFC 7515 4.1.11)", fakeauthority.MisbehaveCritHeader),
		mis("id-token-embedded-key", "ID token signed by a key carried in its own jwk/jku headers; the jku is never fetched", fakeauthority.MisbehaveEmbeddedKey),
		{name: "id-token-expired-bad-signature", desc: "ID token both expired and badly signed is refused (no expiry-only path lets it through)", run: func(k *kit) {
			k.expectRejected(func() {
				k.fa().Misbehave(fakeauthority.MisbehaveBadSignature)
				k.fa().SetIDTokenHook(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
			}, func() { k.fa().Misbehave(fakeauthority.MisbehaveNone); k.fa().SetIDTokenHook(nil) })
		}},
		hook("id-token-iat-future", "ID token issued an hour in the future", false, func(c map[string]any) {
			if iat, ok := c["iat"].(int64); ok {
				c["iat"] = iat + 3600
				c["nbf"] = iat + 3600
			} else {
				c["iat"], c["nbf"] = time.Now().Add(time.Hour).Unix(), time.Now().Add(time.Hour).Unix()
			}
		}),
		hook("id-token-missing-sub", "ID token without sub (rp-id_token-sub)", false, func(c map[string]any) { delete(c, "sub") }),
		{name: "id-token-wrong-nonce", desc: "ID token whose nonce is not the one sent (rp-nonce-invalid)", run: func(k *kit) {
			if !k.sendsNonce() {
				k.notApplicable("id-token-wrong-nonce", "no authorization request: this grant carries no nonce")
			}
			k.expectRejected(func() { k.fa().Misbehave(fakeauthority.MisbehaveWrongNonce) }, func() { k.fa().Misbehave(fakeauthority.MisbehaveNone) })
		}},
		hook("id-token-missing-nonce", "ID token without the nonce that was sent", true, func(c map[string]any) { delete(c, "nonce") }),
		{name: "jwks-key-rotation", desc: "after a key rotation, the new kid's key is fetched once and the token accepted (rp-key-rotation-op-sign-key)", run: checkKeyRotation},
		{name: "jwks-unparseable-keys-ignored", desc: "unparseable and unknown-kty JWKS entries are skipped; the real key verifies", run: checkJunkKeys},
		{name: "refresh-different-sub", desc: "an ID token from a refresh naming another sub is refused and its tokens not used (OIDC 12.2)", run: checkRefreshSub},
	}
}

// sendsNonce reports whether the flow makes an authorization request (the
// only place a nonce is sent): it signs in once to find out.
func (k *kit) sendsNonce() bool {
	k.Helper()
	k.mustGet(graph)
	sent := len(k.fa().RequestsTo(fakeauthority.EndpointAuthorize)) > 0
	// Start afresh for the check itself.
	k.env = newEnv(nil, false)
	k.sub = k.build(k.env)
	return sent
}

// expectRejected has the authority misbehave (bad) during the first
// sign-in and checks the client refuses it: an error, no token returned,
// no request after the bad response but key-set fetches, none later
// either; then, with the authority behaving (good), the next GetToken
// signs in again and never returns a token of the refused response.
func (k *kit) expectRejected(bad, good func()) {
	k.Helper()
	is := k.captureTokens(nil)
	bad()
	tok, err := k.get(context.Background(), graph)
	if err == nil || tok.Token != "" {
		k.Fatalf("GetToken accepted the bad ID token (error %v)", err)
	}
	if is.count() == 0 {
		k.Fatalf("the authority issued no token: the check did not reach ID-token validation (%v)", err)
	}
	time.Sleep(time.Minute)
	settle()
	k.noRequestsSince(is.lastAt(), "after the refused token response", fakeauthority.EndpointKeys, fakeauthority.EndpointDiscovery)
	good()
	refused := is.count()
	signIns := k.signIns()
	tok = k.mustGet(graph)
	if i := is.index(tok.Token); i >= 0 && i < refused {
		k.Errorf("a token of the refused response was cached and served")
	}
	if k.signIns() == signIns {
		k.Errorf("no new sign-in after the refusal: something of the refused response was cached")
	}
}

func checkKeyRotation(k *kit) {
	k.mustGet(graph)
	kid := k.fa().RotateKey()
	keys := k.fa().Count(fakeauthority.EndpointKeys)
	time.Sleep(61 * time.Minute) // the access token expired: the refresh brings an ID token under the new kid
	k.mustGet(graph)
	if k.fa().KeyIDs()[len(k.fa().KeyIDs())-1] != kid {
		k.Fatalf("the rotated key is not the signing key")
	}
	if got := k.fa().Count(fakeauthority.EndpointKeys) - keys; got > 2 {
		k.Errorf("%d key set fetches for one new kid, want at most 2", got)
	}
}

// keySetEdit changes every key set the authority serves.
type keySetEdit struct {
	rt   http.RoundTripper
	edit func(keys []any) []any
}

func (j keySetEdit) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := j.rt.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/discovery/v2.0/keys") {
		return resp, err
	}
	var set struct {
		Keys []any `json:"keys"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if json.Unmarshal(b, &set) == nil {
		set.Keys = j.edit(set.Keys)
		b, _ = json.Marshal(set)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return resp, nil
}

// editKeySets rebuilds the credential with a client whose key sets pass
// through edit.
func (k *kit) editKeySets(edit func(keys []any) []any) {
	env := *k.env
	hc := *env.Options.HTTPClient
	hc.Transport = keySetEdit{rt: hc.Transport, edit: edit}
	env.Options.HTTPClient = &hc
	k.sub = k.build(&env)
}

func checkJunkKeys(k *kit) {
	k.editKeySets(func(keys []any) []any {
		junk := []any{
			map[string]any{"kty": "AKP", "kid": "junk-akp", "alg": "ML-DSA-44", "pub": "AAAA"},
			map[string]any{"kty": "made-up", "kid": "junk-kty"},
			map[string]any{"kty": "RSA", "kid": "junk-rsa", "n": "!!not base64!!", "e": 65537},
			"not an object",
		}
		return append(junk, keys...)
	})
	k.mustGet(graph)
}

// checkMissingKID: no kid, several keys in the set, none the signer's.
// OIDC Core 10.1 requires a kid when there are several keys; a client may
// instead try each key, but must then find none that verifies.
func checkMissingKID(k *kit) {
	k.fa().RotateKey()
	signer := k.fa().RotateKey() // three keys; the newest signs
	k.editKeySets(func(keys []any) []any {
		var out []any
		for _, key := range keys {
			if m, ok := key.(map[string]any); ok && m["kid"] == signer {
				continue
			}
			out = append(out, key)
		}
		return out
	})
	k.expectRejected(func() { k.fa().Misbehave(fakeauthority.MisbehaveMissingKID) },
		func() { k.fa().Misbehave(fakeauthority.MisbehaveNone); k.fa().RetireKey(signer) })
}

func checkRefreshSub(k *kit) {
	first := k.mustGet(graph)
	is := k.captureTokens(nil)
	k.fa().SetIDTokenHook(func(c map[string]any) { c["sub"] = "another-subject-" + strconv.Itoa(len(c)) })
	time.Sleep(61 * time.Minute) // expired: the next call refreshes
	tok, err := k.get(context.Background(), graph)
	settle()
	if k.tokenGrants("refresh_token") == 0 {
		k.Fatalf("no refresh happened (GetToken: %v)", err)
	}
	if err == nil && is.grant(tok.Token) == "refresh_token" {
		k.Errorf("the access token of a refresh whose ID token names another sub was returned")
	}
	if tok.Token == first.Token {
		k.Errorf("the expired token was returned")
	}
}
