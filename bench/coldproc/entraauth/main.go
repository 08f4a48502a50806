// Command entraauth serves one silent token from a persisted cache file
// with entraauth: a plaintext file storage, a credential built from the
// account's record, automatic authentication off.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: entraauth CACHEFILE CLIENTID TENANT HOMEACCOUNTID USERNAME")
		os.Exit(2)
	}
	file, client, tenant, home, user := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	st, err := cache.NewPlaintextFile(file, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cred, err := devicecode.New(client, &devicecode.Options{ClientOptions: oauth.ClientOptions{
		AuthorityHost:                  "https://login.microsoftonline.com",
		TenantID:                       tenant,
		Cache:                          cache.New(st, nil),
		DisableInstanceDiscovery:       true,
		DisableAutomaticAuthentication: true,
		AuthenticationRecord: oauth.AuthenticationRecord{Authority: "https://login.microsoftonline.com", ClientID: client,
			HomeAccountID: home, TenantID: tenant, Username: user, Version: "1.0"},
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tok.Token)
}
