// Command entraauth is BenchmarkNewProcess's entraauth program: a
// password credential over a plaintext file cache (which also keeps the
// authority's key set beside it, in FILE.keys.json).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/entraauth/entraauth/bench/newproc/internal/dial"
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

func main() {
	addr := flag.String("addr", "", "host:port every connection goes to")
	cert := flag.String("cert", "", "PEM certificate to trust")
	file := flag.String("cache", "", "cache file")
	mode := flag.String("mode", "first", "first (sign in) or silent (from the cache)")
	client := flag.String("client", "", "client ID")
	tenant := flag.String("tenant", "", "tenant ID")
	user := flag.String("user", "", "username")
	pass := flag.String("password", "", "password")
	flag.Parse()
	if err := run(*addr, *cert, *file, *mode, *client, *tenant, *user, *pass); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(addr, cert, file, mode, client, tenant, user, pass string) error {
	hc, err := dial.Client(addr, cert)
	if err != nil {
		return err
	}
	st, err := cache.NewPlaintextFile(file, nil)
	if err != nil {
		return err
	}
	cred, err := password.New(client, &password.Options{
		ClientOptions: oauth.ClientOptions{
			AuthorityHost:                  "https://login.microsoftonline.com",
			TenantID:                       tenant,
			HTTPClient:                     hc,
			Cache:                          cache.New(st, nil),
			DisableAutomaticAuthentication: mode == "silent",
		},
		Username: user, Password: pass,
	})
	if err != nil {
		return err
	}
	tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		return err
	}
	fmt.Println(tok.Token)
	return nil
}
