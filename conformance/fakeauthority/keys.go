package fakeauthority

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // x5t is a SHA-1 thumbprint by definition (RFC 7517 4.8)
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// signingKey is one RSA key of the authority's key ring, with the
// self-signed certificate Entra-style JWKS entries carry in x5c.
type signingKey struct {
	KID     string
	Private *rsa.PrivateKey
	Cert    []byte // DER
}

// keyRing holds the published keys; the last one signs.
type keyRing struct {
	keys []signingKey
}

// newKeyRing starts a key ring. Unless unique is set, its first key is
// the process-wide shared key under a kid of its own: generating a
// 2048-bit RSA key costs about 0.2 s (a second under -race), and tests make
// many authorities.
func newKeyRing(unique bool) *keyRing {
	if unique {
		return &keyRing{keys: []signingKey{newSigningKey()}}
	}
	sharedKeyOnce.Do(func() { sharedKey = newSigningKey() })
	return &keyRing{keys: []signingKey{{KID: randomID(20), Private: sharedKey.Private, Cert: sharedKey.Cert}}}
}

var (
	sharedKeyOnce sync.Once
	sharedKey     signingKey
)

// newSigningKey makes a 2048-bit RSA key, as Entra's, with a random kid
// and a certificate.
func newSigningKey() signingKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("fakeauthority: generating a signing key: " + err.Error())
	}
	return signingKey{KID: randomID(20), Private: k, Cert: keyCert(k)}
}

// keyCert is a self-signed certificate for k, valid for five years; Entra publishes such a certificate (x5c)
// and its SHA-1 thumbprint (x5t) with each key.
func keyCert(k *rsa.PrivateKey) []byte {
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(randomBytes(8)),
		Subject:      pkix.Name{CommonName: "accounts.fakeauthority.invalid"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		panic("fakeauthority: certificate for a signing key: " + err.Error())
	}
	return der
}

// active is the key that signs new tokens.
func (r *keyRing) active() signingKey { return r.keys[len(r.keys)-1] }

// RotateKey adds a new signing key and makes it the one that signs; the
// previous keys stay published in the JWKS until [Authority.RetireKey].
// It returns the new key's kid.
func (a *Authority) RotateKey() string {
	k := newSigningKey()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys.keys = append(a.keys.keys, k)
	return k.KID
}

// RetireKey removes a key from the JWKS. Retiring the signing key makes
// the previous key sign again; the last key cannot be retired.
func (a *Authority) RetireKey(kid string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.keys.keys) < 2 {
		return false
	}
	for i, k := range a.keys.keys {
		if k.KID == kid {
			a.keys.keys = append(a.keys.keys[:i:i], a.keys.keys[i+1:]...)
			return true
		}
	}
	return false
}

// KeyIDs returns the kids published in the JWKS, the signing key last.
func (a *Authority) KeyIDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]string, len(a.keys.keys))
	for i, k := range a.keys.keys {
		ids[i] = k.KID
	}
	return ids
}

// handleKeys serves /{tenant}/discovery/v2.0/keys: a JWK Set (RFC 7517
// section 5).
func (a *Authority) handleKeys(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	a.mu.Lock()
	keys := append([]signingKey(nil), a.keys.keys...)
	m, bad := a.misbehave, a.badKey
	a.mu.Unlock()
	set := make([]any, 0, len(keys)+1)
	for i, k := range keys {
		jk := publicJWK(k, rc.issuerTemplate())
		if m == MisbehaveEncKey && i == len(keys)-1 {
			jk["use"] = "enc"
		}
		set = append(set, jk)
	}
	if bad != nil {
		set = append(set, bad.publish(rc))
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": set})
}

// publicJWK is the JWKS entry of k, in Entra's shape (kty, use, kid, x5t,
// n, e, x5c, issuer; RFC 7517 section 4); alg is included for strict
// clients. x5c is standard base64 (RFC 7517 section 4.7), x5t base64url
// (section 4.8).
func publicJWK(k signingKey, issuer string) map[string]any {
	jk := rsaJWK(&k.Private.PublicKey)
	thumb := sha1.Sum(k.Cert)
	jk["kid"] = k.KID
	jk["use"] = "sig"
	jk["alg"] = algRS256
	jk["x5c"] = []string{base64.StdEncoding.EncodeToString(k.Cert)}
	jk["x5t"] = base64.RawURLEncoding.EncodeToString(thumb[:])
	jk["issuer"] = issuer
	return jk
}

// writeJSON writes v as a JSON response with Entra's headers.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Expires", "-1")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
