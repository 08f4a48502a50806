// Command msalgo is BenchmarkNewProcess's MSAL Go program: a public
// client over a file-backed ExportReplace accessor (as MSAL Go's docs
// show it).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/bench/newproc/internal/dial"
)

// fileCache is the file-backed accessor: Replace reads the file (none
// yet is an empty cache), Export writes it.
type fileCache string

func (f fileCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	b, err := os.ReadFile(string(f))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return u.Unmarshal(b)
}

func (f fileCache) Export(_ context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(string(f), b, 0o600)
}

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
	ctx := context.Background()
	app, err := public.New(client, public.WithAuthority("https://login.microsoftonline.com/"+tenant),
		public.WithHTTPClient(hc), public.WithCache(fileCache(file)))
	if err != nil {
		return err
	}
	scopes := []string{"https://graph.microsoft.com/.default"}
	if mode == "first" {
		r, err := app.AcquireTokenByUsernamePassword(ctx, scopes, user, pass)
		if err != nil {
			return err
		}
		fmt.Println(r.AccessToken)
		return nil
	}
	accts, err := app.Accounts(ctx)
	if err != nil {
		return err
	}
	if len(accts) != 1 {
		return fmt.Errorf("%d accounts in the cache; want 1", len(accts))
	}
	r, err := app.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(accts[0]))
	if err != nil {
		return err
	}
	fmt.Println(r.AccessToken)
	return nil
}
