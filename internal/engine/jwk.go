package engine

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
)

// jwkEntry is one published key, decoded only as far as choosing it
// needs. Its public key is built on first use.
type jwkEntry struct {
	Kid    string  `json:"kid"`
	Kty    string  `json:"kty"`
	Use    string  `json:"use"`
	Alg    string  `json:"alg"`
	Issuer string  `json:"issuer"` // Entra's per-key issuer, with {tenantid}
	N      string  `json:"n"`
	E      string  `json:"e"`
	X5c    rawJSON `json:"x5c"` // decoded only for a key without n and e

	once sync.Once
	pub  *rsa.PublicKey
	err  error
}

// rawJSON keeps a member's JSON text undecoded (a copy of the bytes, not
// a string per certificate), for the rare key that needs it.
type rawJSON []byte

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

// usable reports whether the key may verify RS256 signatures at all: an
// RSA key, not for encryption, with no other algorithm (RFC 7517 4.2, 4.4).
func (e *jwkEntry) usable() bool {
	return e.Kty == "RSA" && (e.Use == "" || e.Use == "sig") && (e.Alg == "" || e.Alg == "RS256")
}

// publicKey builds the key once: from n and e, else from the first x5c
// certificate. Keys under minRSABits or over maxRSABits are refused.
func (e *jwkEntry) publicKey() (*rsa.PublicKey, error) {
	e.once.Do(func() { e.pub, e.err = e.build() })
	return e.pub, e.err
}

var errKeyUnusable = errors.New("key is not a usable RSA key")

func (e *jwkEntry) build() (*rsa.PublicKey, error) {
	var pub *rsa.PublicKey
	switch {
	case e.N != "" && e.E != "":
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(e.N, "="))
		eb, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(e.E, "="))
		if err1 != nil || err2 != nil || len(eb) == 0 || len(eb) > 4 {
			return nil, errKeyUnusable
		}
		exp := new(big.Int).SetBytes(eb).Int64()
		if exp < 3 || exp > 1<<31-1 || exp%2 == 0 {
			return nil, errKeyUnusable
		}
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp)}
	case len(e.X5c) > 0:
		var chain []string
		if json.Unmarshal(e.X5c, &chain) != nil || len(chain) == 0 {
			return nil, errKeyUnusable
		}
		der, err := base64.StdEncoding.DecodeString(chain[0])
		if err != nil {
			return nil, errKeyUnusable
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, errKeyUnusable
		}
		var ok bool
		if pub, ok = cert.PublicKey.(*rsa.PublicKey); !ok {
			return nil, errKeyUnusable
		}
	default:
		return nil, errKeyUnusable
	}
	if bits := pub.N.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, errors.New("RSA key size is outside 2048 to 8192 bits")
	}
	return pub, nil
}

// bindsIssuer checks the key's own issuer against the token (Entra
// publishes one per key): filled with the token's tid it must be the
// token's iss, so a key of one tenant (the consumer tenant's, say) cannot
// vouch for a token of another. A key without an issuer (AD FS, other
// clouds) is not bound; the token's iss is still checked against the
// authority.
func (e *jwkEntry) bindsIssuer(payload []byte) error {
	if e.Issuer == "" {
		return nil
	}
	var c struct {
		Iss string `json:"iss"`
		Tid string `json:"tid"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return idTokenError("claims unreadable")
	}
	want := e.Issuer
	if strings.Contains(want, "{tenantid}") {
		if !IsGUID(c.Tid) {
			return idTokenError("tid is missing or not a GUID")
		}
		want = strings.ReplaceAll(want, "{tenantid}", c.Tid)
	}
	if c.Iss != want {
		return idTokenError("the signing key belongs to another issuer than the token's iss")
	}
	return nil
}

// verify checks jws with this key; ok reports a valid signature, and err
// then whether the key is bound to the token's issuer.
func (e *jwkEntry) verify(jws *compactJWS) (payload []byte, ok bool, err error) {
	pub, err := e.publicKey()
	if err != nil || !jws.verify(pub) {
		return nil, false, nil
	}
	if err := e.bindsIssuer(jws.payload); err != nil {
		return nil, true, err
	}
	return jws.payload, true, nil
}
