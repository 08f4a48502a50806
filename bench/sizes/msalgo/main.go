// Command msalgo is the minimal device-code program for MSAL Go.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

func main() {
	ctx := context.Background()
	app, err := public.New("04b07795-8ddb-461a-bbee-02f9e1bf7b46", public.WithAuthority("https://login.microsoftonline.com/organizations"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dc, err := app.AcquireTokenByDeviceCode(ctx, []string{"https://graph.microsoft.com/.default"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(dc.Result.Message)
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(res.ExpiresOn)
}
