package password_test

import (
	"context"
	"fmt"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

func ExampleNew() {
	a := fa.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		panic(err)
	}
	rec, err := cred.Authenticate(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Username, rec.Authority)
	tok, _ := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	fmt.Println(time.Until(tok.ExpiresOn) > 50*time.Minute)
	// Output:
	// alice@contoso.onmicrosoft.com https://login.microsoftonline.com
	// true
}
