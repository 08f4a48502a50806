package fakeauthority_test

import (
	"context"
	"fmt"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

// Point your own program at the fake, in memory: the fake's URL is
// https://login.microsoftonline.com (a known cloud, so no instance
// discovery) and its Client answers in-process; nothing else changes.
// The same ClientOptions go into auto.Options, loopback.Options or
// broker.Options.
func Example_yourProgram() {
	fa := fakeauthority.New(&fakeauthority.Options{
		AutoApproveDevice: 10 * time.Millisecond, // as if the user typed the code
		DeviceInterval:    time.Second,           // the shortest a client polls
	})
	cred, err := devicecode.New(fakeauthority.AzureCLIClientID, &devicecode.Options{
		ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), HTTPClient: fa.Client()},
		UserPrompt:    func(context.Context, devicecode.Message) error { return nil },
	})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec, err := cred.Authenticate(ctx, oauth.TokenOptions{})
	if err != nil {
		panic(err)
	}
	tok, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"https://management.azure.com/.default"}})
	fmt.Println(rec.Username, err == nil && tok.Token != "")
	// Output: alice@contoso.onmicrosoft.com true
}
