package fakeauthority

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// misbehavingKey is an extra key of a key misbehaviour: published in the
// JWKS next to the key ring, and signing ID tokens while the mode is set.
// It is never saved with the state.
type misbehavingKey struct {
	key    signingKey
	tenant string // the issuer's tenant; "" means the {tenantid} template
}

// newMisbehavingKey makes the extra key mode m needs, if any.
func newMisbehavingKey(m Misbehavior) *misbehavingKey {
	switch m {
	case MisbehaveForeignIssuerKey:
		return &misbehavingKey{key: newSigningKey(), tenant: msaTenantID}
	case MisbehaveSmallKey:
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			panic("fakeauthority: generating a small key: " + err.Error())
		}
		return &misbehavingKey{key: signingKey{KID: randomID(20), Private: k, Cert: keyCert(k)}}
	}
	return nil
}

// publish returns set with the key added, with its issuer. The entry is
// written by hand, in Entra's shape without x5c: the JWK library refuses
// to publish a key under 2048 bits, which is what MisbehaveSmallKey needs.
func (m *misbehavingKey) publish(set jwk.Set, rc *reqCtx) map[string]any {
	issuer := rc.issuerTemplate()
	if m.tenant != "" {
		issuer = rc.issuer(m.tenant)
	}
	keys := []any{}
	for i := range set.Len() {
		if k, ok := set.Key(i); ok {
			keys = append(keys, k)
		}
	}
	pub := m.key.Private.PublicKey
	enc := base64.RawURLEncoding
	keys = append(keys, map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": m.key.KID, "issuer": issuer,
		"n": enc.EncodeToString(pub.N.Bytes()), "e": enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	})
	return map[string]any{"keys": keys}
}
