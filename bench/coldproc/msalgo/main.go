// Command msalgo serves one silent token from a persisted cache file with
// MSAL Go: a file-backed ExportReplace accessor (as MSAL Go's docs show),
// the account found among Accounts, AcquireTokenSilent.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// fileCache is the file-backed accessor: Replace reads the file, Export
// writes it.
type fileCache string

func (f fileCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	b, err := os.ReadFile(string(f))
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
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: msalgo CACHEFILE CLIENTID TENANT HOMEACCOUNTID USERNAME")
		os.Exit(2)
	}
	file, client, tenant, home := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	ctx := context.Background()
	app, err := public.New(client, public.WithAuthority("https://login.microsoftonline.com/"+tenant),
		public.WithCache(fileCache(file)), public.WithInstanceDiscovery(false))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	accts, err := app.Accounts(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, a := range accts {
		if a.HomeAccountID != home {
			continue
		}
		r, err := app.AcquireTokenSilent(ctx, []string{"https://graph.microsoft.com/.default"}, public.WithSilentAccount(a))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(r.AccessToken)
		return
	}
	fmt.Fprintln(os.Stderr, "account not found")
	os.Exit(1)
}
