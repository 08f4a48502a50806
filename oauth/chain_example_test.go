package oauth_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/entraauth/entraauth/azurecli"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

// ExampleChain signs in the way this machine allows, with the browser
// left out (a remote shell): the Azure CLI session first, then a device
// code. There is no Azure CLI session here (an empty configuration
// directory), so the Azure CLI credential is unavailable and the chain
// falls back to the device code, against the in-memory fake authority,
// which approves the code a moment after issuing it.
func ExampleChain() {
	a := fa.New(&fa.Options{DeviceInterval: time.Second, AutoApproveDevice: time.Millisecond})
	dir, err := os.MkdirTemp("", "no-azure-cli")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	cli, err := azurecli.New(&azurecli.Options{ConfigDir: dir, DisableSubprocess: true})
	if err != nil {
		panic(err)
	}
	dc, err := devicecode.New("", &devicecode.Options{
		ClientOptions: oauth.ClientOptions{AuthorityHost: a.URL(), TenantID: fa.DefaultTenantID, HTTPClient: a.Client()},
		UserPrompt: func(ctx context.Context, m devicecode.Message) error {
			fmt.Println("open", m.VerificationURI, "and enter the code")
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	opts := oauth.TokenOptions{Scopes: []string{"https://management.azure.com/.default"}}

	_, err = cli.GetToken(context.Background(), opts)
	fmt.Println("Azure CLI session unavailable:", oauth.IsCredentialUnavailable(err))

	cred := oauth.Chain(cli, dc)
	if _, err := cred.GetToken(context.Background(), opts); err != nil {
		panic(err)
	}
	_, isDeviceCode := cred.Selected().(*devicecode.Credential)
	fmt.Println("signed in with the device code:", isDeviceCode)
	// Output:
	// Azure CLI session unavailable: true
	// open https://login.microsoftonline.com/devicelogin and enter the code
	// signed in with the device code: true
}
