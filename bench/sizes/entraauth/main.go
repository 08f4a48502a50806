// Command entraauth is the minimal device-code program for entraauth.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

func main() {
	cred, err := devicecode.New("", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(tok.ExpiresOn)
}
