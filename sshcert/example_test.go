package sshcert_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
	"github.com/entraauth/entraauth/sshcert"
	"golang.org/x/crypto/ssh"
)

// ExampleGet gets an SSH certificate for a key from the in-memory fake;
// the second request is served from the cache.
func ExampleGet() {
	a := fa.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		panic(err)
	}
	priv, _ := rsa.GenerateKey(rand.Reader, 2048)
	pub, _ := ssh.NewPublicKey(&priv.PublicKey)
	for range 2 {
		cert, err := sshcert.Get(context.Background(), cred, pub, nil)
		if err != nil {
			panic(err)
		}
		fmt.Println(cert.ValidPrincipals, cert.ValidBefore-cert.ValidAfter > 3600)
	}
	fmt.Println("certificate requests:", a.Count(fa.EndpointToken)-1)
	// Output:
	// [alice@contoso.onmicrosoft.com] true
	// [alice@contoso.onmicrosoft.com] true
	// certificate requests: 1
}
