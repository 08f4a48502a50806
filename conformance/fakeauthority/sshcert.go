package fakeauthority

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSHCertLifetime is how long the certificates of token_type=ssh-cert are
// valid. Entra's own figure is not published as a number the fake could
// cite; `az ssh cert` reports certificates valid for about an hour, so
// the fake gives 1 hour (unconfirmed against Entra).
const SSHCertLifetime = time.Hour

// sshCA is the fake's SSH user-certificate authority: an Ed25519 key
// derived from the oldest signing key, so that an authority restored from
// MarshalState (as `entraauth --fake` keeps one across runs) signs with
// the same CA.
type sshCA struct {
	once   sync.Once
	signer ssh.Signer
}

func (a *Authority) sshSigner() ssh.Signer {
	a.sshCA.once.Do(func() {
		a.mu.Lock()
		if len(a.keys.keys) == 0 {
			a.mu.Unlock()
			panic("fakeauthority: no signing key to derive the SSH CA from")
		}
		der, err := x509.MarshalPKCS8PrivateKey(a.keys.keys[0].Private)
		a.mu.Unlock()
		if err != nil {
			panic("fakeauthority: signing key: " + err.Error())
		}
		seed := sha256.Sum256(append([]byte("entraauth fake SSH CA\x00"), der...))
		a.sshCA.signer, _ = ssh.NewSignerFromSigner(ed25519.NewKeyFromSeed(seed[:]))
	})
	return a.sshCA.signer
}

// SSHCAPublicKey is the public key of the CA that signs the fake's SSH
// certificates, in authorized_keys form (one line), for sshd's
// TrustedUserCAKeys.
func (a *Authority) SSHCAPublicKey() string {
	return string(ssh.MarshalAuthorizedKey(a.sshSigner().PublicKey()))
}

// SignSSHCertificate signs a user certificate for key, valid for the
// principals between from and until, with the fake's CA: tests use it for
// certificates the token endpoint would not issue (expired, another user).
func (a *Authority) SignSSHCertificate(key ssh.PublicKey, keyID string, principals []string, from, until time.Time) (*ssh.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).SetUint64(1<<63))
	if err != nil {
		return nil, err
	}
	cert := &ssh.Certificate{
		Key: key, Serial: serial.Uint64(), CertType: ssh.UserCert, KeyId: keyID,
		ValidPrincipals: principals,
		ValidAfter:      uint64(from.Unix()), ValidBefore: uint64(until.Unix()),
		Permissions: ssh.Permissions{Extensions: map[string]string{
			"permit-X11-forwarding": "", "permit-agent-forwarding": "", "permit-port-forwarding": "",
			"permit-pty": "", "permit-user-rc": "",
		}},
	}
	if err := cert.SignCert(rand.Reader, a.sshSigner()); err != nil {
		return nil, err
	}
	return cert, nil
}

// sshCertResponse turns resp into the answer to token_type=ssh-cert, as
// the Azure CLI ssh extension reads it (Azure/azure-cli-extensions,
// src/ssh/azext_ssh/custom.py: the access token is the certificate's
// base64, written after "ssh-rsa-cert-v01@openssh.com "): req_cnf is the
// RSA public key as a JWK (parseReqCnf); the principal is the UPN.
func (a *Authority) sshCertResponse(form map[string][]string, g grant, resp *tokenResponse) *entraError {
	pub, keyID, e := sshCertRequest(form)
	if e != nil {
		return e
	}
	now := a.now()
	cert, err := a.SignSSHCertificate(pub, keyID, []string{g.user.Username}, now.Add(-5*time.Minute), now.Add(SSHCertLifetime))
	if err != nil {
		return &entraError{code: 90033, detail: err.Error(), status: http.StatusInternalServerError}
	}
	resp.TokenType = "ssh-cert"
	resp.AccessToken = base64.StdEncoding.EncodeToString(cert.Marshal())
	resp.ExpiresIn = int64(SSHCertLifetime / time.Second)
	resp.ExtExpiresIn = resp.ExpiresIn
	resp.RefreshIn = 0
	return nil
}

// sshCertRequest reads a token_type=ssh-cert request's key_id and
// req_cnf; checked before a refresh token is marked redeemed, so a bad
// request costs the client nothing.
func sshCertRequest(form map[string][]string) (ssh.PublicKey, string, *entraError) {
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	keyID := get("key_id")
	if keyID == "" {
		e := missingParam("key_id")
		return nil, "", &e
	}
	pub, err := parseReqCnf(get("req_cnf"), keyID)
	if err != nil {
		return nil, "", &entraError{code: 9002313, detail: err.Error()}
	}
	return pub, keyID, nil
}

// ParseReqCnf reads req_cnf: an RSA public key as a JWK {"kty":"RSA",
// "n","e"} with an optional "kid". The Azure CLI ssh extension sends kid
// = key_id (_prepare_jwk_data in Azure/azure-cli-extensions
// src/ssh/azext_ssh/custom.py); MSAL Python's end-to-end test against
// Entra sends no kid and key_id "key1" (SshCertTestCase in
// AzureAD/microsoft-authentication-library-for-python tests/test_e2e.py),
// so Entra needs none. A kid other than key_id is refused: no client
// sends one, and a client that did would have mixed up its keys
// (Entra's answer to it is not known).
func parseReqCnf(raw, keyID string) (ssh.PublicKey, error) {
	if len(raw) > 8192 {
		return nil, errors.New("req_cnf is too long")
	}
	var jwk struct{ Kty, N, E, Kid string }
	if err := json.Unmarshal([]byte(raw), &jwk); err != nil {
		return nil, errors.New("req_cnf is not a JWK")
	}
	if jwk.Kty != "RSA" || (jwk.Kid != "" && jwk.Kid != keyID) {
		return nil, errors.New("req_cnf is not an RSA JWK whose kid, if any, is key_id")
	}
	n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(jwk.N, "="))
	e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(jwk.E, "="))
	if err1 != nil || err2 != nil || len(n) < 256 || len(n) > 1024 || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("req_cnf has an unusable modulus or exponent")
	}
	ev := int(new(big.Int).SetBytes(e).Int64())
	if ev < 3 || ev%2 == 0 {
		return nil, errors.New("req_cnf has an unusable exponent")
	}
	return ssh.NewPublicKey(&rsa.PublicKey{N: new(big.Int).SetBytes(n), E: ev})
}
