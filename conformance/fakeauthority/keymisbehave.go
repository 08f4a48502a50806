package fakeauthority

import (
	"crypto/rand"
	"crypto/rsa"
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

// publish returns the key's JWKS entry, with its issuer, in Entra's
// shape without x5c.
func (m *misbehavingKey) publish(rc *reqCtx) map[string]any {
	issuer := rc.issuerTemplate()
	if m.tenant != "" {
		issuer = rc.issuer(m.tenant)
	}
	jk := rsaJWK(&m.key.Private.PublicKey)
	jk["use"], jk["alg"], jk["kid"], jk["issuer"] = "sig", algRS256, m.key.KID, issuer
	return jk
}
