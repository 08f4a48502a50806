package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/sshcert"
	"golang.org/x/crypto/ssh"
)

func init() {
	commands["ssh-cert"] = command{"write an OpenSSH certificate for a key (as `az ssh cert`; silent)", cmdSSHCert}
}

// maxPublicKeyFile bounds the public key file read.
const maxPublicKeyFile = 16 << 10

func cmdSSHCert(ctx context.Context, io *stdio, args []string) error {
	var key string
	spec := commandSpec{name: "ssh-cert", silent: true, flags: func(fs *flag.FlagSet, o *options) {
		fs.StringVar(&key, "key", "", "private key file; the certificate is written to <key>-cert.pub and the public key read from <key>.pub (default: a new RSA key pair in the cache directory)")
	}}
	return withSession(ctx, io, args, spec, func(s *session, o *options) error {
		if !s.hasRecord {
			return &actionError{msg: "not signed in: run " + loginHint(o) + " first"}
		}
		if s.brokerSignedIn() {
			return &actionError{msg: "ssh-cert needs a token-cache sign-in, not the broker's"}
		}
		if key == "" {
			dir, err := io.userCacheDir()
			if err != nil {
				return err
			}
			key = filepath.Join(dir, "entraauth", "ssh", "id_rsa")
		}
		pub, err := publicKeyFor(key)
		if err != nil {
			return err
		}
		// Silent, as token: the cache or a refresh, never a sign-in.
		c, err := silentClient(s)
		if err != nil {
			return err
		}
		cert, err := sshcert.Get(ctx, clientCredential{c}, pub, sshCertOptions(s))
		if err != nil {
			return silentError(err, o)
		}
		if err := s.saveFake(); err != nil {
			return err
		}
		out := key + "-cert.pub"
		if err := writeFileAtomic(out, ssh.MarshalAuthorizedKey(cert)); err != nil {
			return err
		}
		fmt.Fprintf(io.stdout, "certificate: %s\nprincipals: %s\nvalid: %s to %s\n", redact.Text(out),
			redact.Text(strings.Join(cert.ValidPrincipals, ", ")),
			time.Unix(int64(cert.ValidAfter), 0).UTC().Format(time.RFC3339), time.Unix(int64(cert.ValidBefore), 0).UTC().Format(time.RFC3339))
		if s.fake != nil {
			fmt.Fprintf(io.stdout, "fake CA: %s\n", redact.Text(strings.TrimSpace(s.fake.fa.SSHCAPublicKey())))
		}
		return nil
	})
}

// sshCertOptions asks the certificate service of the session's cloud.
func sshCertOptions(s *session) *sshcert.Options {
	return &sshcert.Options{Scope: sshcert.ScopeFor(s.client.AuthorityHost)}
}

// clientCredential is the engine as an sshcert.Credential (silent: the
// client comes from silentClient and is given no sign-in step).
type clientCredential struct{ c *engine.Client }

func (c clientCredential) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	return c.c.GetToken(ctx, opts, nil)
}

// publicKeyFor reads <key>.pub, generating an RSA key pair (private key
// 0600, in OpenSSH form) when neither file exists. Anything already at
// the key's path (a file, a symlink, even a dangling one) is never
// written through: a key pair is made only where nothing is.
func publicKeyFor(key string) (ssh.PublicKey, error) {
	b, err := readFileMax(key+".pub", maxPublicKeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Lstat(key); err == nil {
			return nil, fmt.Errorf("%s has no public key file %s.pub", redact.Text(key), redact.Text(key))
		}
		return generateKey(key)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s.pub: %w", redact.Text(key), err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s.pub is not an OpenSSH public key", redact.Text(key))
	}
	return pub, nil
}

func generateKey(key string) (ssh.PublicKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		return nil, err
	}
	blk, err := ssh.MarshalPrivateKey(priv, "entraauth ssh-cert")
	if err != nil {
		return nil, err
	}
	pub, err := ssh.NewPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(key), 0o700); err != nil {
		return nil, err
	}
	// A 0600 temp file renamed into place: a symlink planted at the path
	// since the check above is replaced, not followed.
	if err := writeFileAtomic(key, pem.EncodeToMemory(blk)); err != nil {
		return nil, err
	}
	return pub, writeFileAtomic(key+".pub", ssh.MarshalAuthorizedKey(pub))
}
