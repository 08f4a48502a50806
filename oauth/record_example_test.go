package oauth_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// ExampleRecordFromAccount: two users share a cache, so a credential with
// no record serves neither; a record made from one of the listed
// accounts binds it to that user.
func ExampleRecordFromAccount() {
	a := fa.New(nil)
	a.Directory().AddUser(fa.User{Username: "bob@contoso.onmicrosoft.com", Password: fa.DefaultPassword, ObjectID: "b0b0b0b0-0000-4000-8000-000000000000"})
	shared := cache.New(nil, nil)
	arm := oauth.TokenOptions{Scopes: []string{"https://management.core.windows.net//.default"}}
	for _, u := range []string{fa.DefaultUsername, "bob@contoso.onmicrosoft.com"} {
		p, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: shared}, Username: u, Password: fa.DefaultPassword})
		if _, err := p.GetToken(context.Background(), arm); err != nil {
			panic(err)
		}
	}
	opts := oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: shared, DisableAutomaticAuthentication: true}
	c, _ := engine.New("", &opts)
	_, err := c.GetToken(context.Background(), arm, nil)
	var na *oauth.NoAccountError
	fmt.Println("no record:", errors.As(err, &na), na.Found, "accounts")
	accts, _ := c.Accounts(context.Background())
	opts.AuthenticationRecord = oauth.RecordFromAccount("", accts[1])
	bound, _ := engine.New("", &opts)
	_, err = bound.GetToken(context.Background(), arm, nil)
	fmt.Println("bound to", accts[1].Username+":", err == nil)
	// Output:
	// no record: true 2 accounts
	// bound to bob@contoso.onmicrosoft.com: true
}
