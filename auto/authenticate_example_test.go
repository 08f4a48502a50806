package auto_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/entraauth/entraauth/auto"
	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

// ExampleCredential_Authenticate signs in explicitly with the first step
// that can reach a person (here the device code, the browser and broker
// excluded) and returns the record that binds a later credential to the
// user: the later one is silent.
func ExampleCredential_Authenticate() {
	a := fa.New(&fa.Options{DeviceInterval: time.Second, AutoApproveDevice: time.Millisecond})
	dir, err := os.MkdirTemp("", "no-azure-cli")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	opts := &auto.Options{
		// A persistent cache (persistent.New, ...) in a real
		// program; one in-memory cache shared by both credentials here.
		ClientOptions: oauth.ClientOptions{AuthorityHost: a.URL(), TenantID: fa.DefaultTenantID, HTTPClient: a.Client(),
			Cache: cache.New(nil, nil)},
		ExcludeBrowser: true, ExcludeBroker: true,
		AzureCLI:   &azurecli.Options{ConfigDir: dir, DisableSubprocess: true},
		UserPrompt: func(context.Context, devicecode.Message) error { return nil },
	}
	cred, err := auto.New("", opts)
	if err != nil {
		panic(err)
	}
	rec, err := cred.Authenticate(context.Background(), oauth.TokenOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("signed in:", rec.Username)
	later := *opts
	later.AuthenticationRecord = rec
	later.UserPrompt = func(context.Context, devicecode.Message) error { panic("prompted") }
	again, _ := auto.New("", &later)
	_, err = again.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	fmt.Println("later credential silent:", err == nil)
	// Output:
	// signed in: alice@contoso.onmicrosoft.com
	// later credential silent: true
}
