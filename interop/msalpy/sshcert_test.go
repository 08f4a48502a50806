package msalpy

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
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
// key is not.
func TestSSHCertSharedWithMSALPython(t *testing.T) {
	for _, first := range []string{"py", "ours"} {
		t.Run(first+" first", func(t *testing.T) {
			e := newEnv(t, nil)
			rec, err := e.ourPassword().Authenticate(t.Context(), oauth.TokenOptions{Scopes: []string{armScope}})
			if err != nil {
				t.Fatal(err)
			}
			priv, _ := rsa.GenerateKey(rand.Reader, 2048)
			pub, _ := ssh.NewPublicKey(&priv.PublicKey)
			req, err := sshcert.Request(pub)
			if err != nil {
				t.Fatal(err)
			}
			data := map[string]string{"token_type": req.TokenType, "key_id": req.KeyID, "req_cnf": req.Params["req_cnf"]}
			pyGet := func() string {
				res := e.py("msal_sshcert.py", map[string]any{"home_account_id": rec.HomeAccountID,
					"scopes": []string{sshcert.ScopePublic}, "data": data})
				if res["token_type"] != "ssh-cert" {
					t.Fatalf("MSAL Python: %v", res)
				}
				return e.token("MSAL Python ssh-cert", res)
			}
			ourGet := func() string {
				c, err := sshcert.Get(t.Context(), silent{e.ourSilent(rec)}, pub, nil)
				if err != nil {
					t.Fatal(err)
				}
				return base64.StdEncoding.EncodeToString(c.Marshal())
			}
			e.fa.ResetLog()
			var a, b string
			if first == "py" {
				a = pyGet()
				e.wantTokenRequests("MSAL Python's first certificate", 1)
				e.fa.ResetLog()
				b = ourGet()
			} else {
				a = ourGet()
				e.wantTokenRequests("our first certificate", 1)
				e.fa.ResetLog()
				b = pyGet()
			}
			e.wantTokenRequests("the other side's cached certificate", 0)
			if a != b {
				t.Fatal("the second side got another certificate")
			}
		})
	}
}
