package msalpy

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/sshcert"
	"golang.org/x/crypto/ssh"
)

type silent struct{ c *engine.Client }

func (s silent) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	return s.c.GetToken(ctx, o, nil)
}

// TestSSHCertSharedWithMSALPython: an SSH certificate one side cached is
// served from the shared cache to the other for the same key (MSAL Python
// matches on key_id), with no token request; a certificate for another
// key is not: the second side asking for another key sends a token
// request and gets a certificate for that key.
func TestSSHCertSharedWithMSALPython(t *testing.T) {
	for _, first := range []string{"py", "ours"} {
		t.Run(first+" first", func(t *testing.T) {
			e := newEnv(t, nil)
			rec, err := e.ourPassword().Authenticate(t.Context(), oauth.TokenOptions{Scopes: []string{armScope}})
			if err != nil {
				t.Fatal(err)
			}
			pyGet := func(k sshKey) string {
				res := e.py("msal_sshcert.py", map[string]any{"home_account_id": rec.HomeAccountID,
					"scopes": []string{sshcert.ScopePublic}, "data": k.data})
				if res["token_type"] != "ssh-cert" {
					t.Fatalf("MSAL Python: %v", res)
				}
				return e.token("MSAL Python ssh-cert", res)
			}
			ourGet := func(k sshKey) string {
				c, err := sshcert.Get(t.Context(), silent{e.ourSilent(rec)}, k.pub, nil)
				if err != nil {
					t.Fatal(err)
				}
				return base64.StdEncoding.EncodeToString(c.Marshal())
			}
			get := map[bool]func(sshKey) string{true: pyGet, false: ourGet}
			key, other := newSSHKey(t), newSSHKey(t)
			e.fa.ResetLog()
			a := get[first == "py"](key)
			e.wantTokenRequests(first+"'s first certificate", 1)
			e.fa.ResetLog()
			b := get[first != "py"](key)
			e.wantTokenRequests("the other side's cached certificate", 0)
			if a != b {
				t.Fatal("the second side got another certificate")
			}
			e.fa.ResetLog()
			c := get[first != "py"](other)
			e.wantTokenRequests("the other side's certificate for another key", 1)
			if !certFor(t, c, other.pub) {
				t.Fatal("the second side got a certificate for the first key when asking for another")
			}
		})
	}
}

// sshKey is a public key and the token request "data" the Azure CLI ssh
// extension gives MSAL Python for it.
type sshKey struct {
	pub  ssh.PublicKey
	data map[string]string
}

func newSSHKey(t *testing.T) sshKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	req, err := sshcert.Request(pub)
	if err != nil {
		t.Fatal(err)
	}
	return sshKey{pub, map[string]string{"token_type": req.TokenType, "key_id": req.KeyID, "req_cnf": req.Params["req_cnf"]}}
}

// certFor reports whether tok (a certificate in base64, as both sides
// return it) certifies pub.
func certFor(t *testing.T, tok string, pub ssh.PublicKey) bool {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.ParsePublicKey(b)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := k.(*ssh.Certificate)
	return ok && bytes.Equal(c.Key.Marshal(), pub.Marshal())
}

// TestSSHCertMSALPythonOwnTestData: MSAL Python's end-to-end test asks
// Entra for a certificate with a JWK without "kid" and key_id "key1"
// (SshCertTestCase in AzureAD/microsoft-authentication-library-for-python
// tests/test_e2e.py). Real MSAL Python sending that shape gets a
// certificate for that key from the fake too, and a second request for
// the same key_id is served from its cache.
func TestSSHCertMSALPythonOwnTestData(t *testing.T) {
	e := newEnv(t, nil)
	rec, err := e.ourPassword().Authenticate(t.Context(), oauth.TokenOptions{Scopes: []string{armScope}})
	if err != nil {
		t.Fatal(err)
	}
	k := newSSHKey(t)
	var jwk map[string]string
	if err := json.Unmarshal([]byte(k.data["req_cnf"]), &jwk); err != nil {
		t.Fatal(err)
	}
	delete(jwk, "kid")
	noKid, _ := json.Marshal(jwk)
	data := map[string]string{"token_type": "ssh-cert", "key_id": "key1", "req_cnf": string(noKid)}
	cfg := map[string]any{"home_account_id": rec.HomeAccountID, "scopes": []string{sshcert.ScopePublic}, "data": data}
	e.fa.ResetLog()
	res := e.py("msal_sshcert.py", cfg)
	if res["token_type"] != "ssh-cert" || !certFor(t, e.token("MSAL Python ssh-cert", res), k.pub) {
		t.Fatalf("MSAL Python with its own test's data: %v", res)
	}
	e.wantTokenRequests("the first certificate", 1)
	e.fa.ResetLog()
	if again := e.py("msal_sshcert.py", cfg); again["access_token"] != res["access_token"] {
		t.Errorf("the second request for key1 did not return the cached certificate: %v", again)
	}
	e.wantTokenRequests("the cached certificate", 0)
}
