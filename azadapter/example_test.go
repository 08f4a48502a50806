package azadapter_test

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/entraauth/entraauth/azadapter"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// An entraauth credential used where the Azure SDK wants an
// azcore.TokenCredential (here against an in-memory fake authority).
func Example() {
	fa := fakeauthority.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: fa.Client(), TenantID: fakeauthority.DefaultTenantID}, Username: fakeauthority.DefaultUsername, Password: fakeauthority.DefaultPassword})
	if err != nil {
		panic(err)
	}
	var tc azcore.TokenCredential = azadapter.New(cred)
	tok, err := tc.GetToken(context.Background(), policy.TokenRequestOptions{
		Scopes: []string{"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Token != "", tok.ExpiresOn.After(time.Now()))
	// Output: true true
}
