package sshcert_test

import (
	"context"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
	"github.com/entraauth/entraauth/sshcert"
	"golang.org/x/crypto/ssh"
)

func benchCred(b *testing.B) sshcert.Credential {
	a := fa.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		b.Fatal(err)
	}
	return cred
}

// BenchmarkSSHCertFirst: a certificate from the in-memory fake for a key
// the cache holds no certificate for (two keys alternate: each request
// replaces the other key's entry, as in MSAL Python's cache, whose key
// leaves key_id out), after the account signed in: one refresh-token
// redemption, the CA's signature, the cache write and the parse.
func BenchmarkSSHCertFirst(b *testing.B) {
	cred := benchCred(b)
	keys := []ssh.PublicKey{newKey(b), newKey(b)}
	ctx := context.Background()
	if _, err := sshcert.Get(ctx, cred, keys[1], nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := sshcert.Get(ctx, cred, keys[i%2], nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSSHCertCached: the same key again, served from the cache.
func BenchmarkSSHCertCached(b *testing.B) {
	cred := benchCred(b)
	key := newKey(b)
	ctx := context.Background()
	if _, err := sshcert.Get(ctx, cred, key, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sshcert.Get(ctx, cred, key, nil); err != nil {
			b.Fatal(err)
		}
	}
}
