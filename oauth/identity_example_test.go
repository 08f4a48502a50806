package oauth_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// A client bound to a user serves only that user's cached tokens: with
// alice the only account of a shared cache, a client bound to bob asks
// for a sign-in instead of returning alice's token, and a sign-in the
// authority answers for alice is refused.
func ExampleClient_BindUser() {
	a := fa.New(nil)
	shared := cache.New(nil, nil)
	opts := &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: shared}
	alice, _ := oauth.NewPasswordCredential("", fa.DefaultUsername, fa.DefaultPassword, opts)
	graph := oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	if _, err := alice.GetToken(context.Background(), graph); err != nil {
		panic(err)
	}

	client, _ := oauth.NewClient("", opts)
	client.BindUser("bob@contoso.onmicrosoft.com")
	_, err := client.GetToken(context.Background(), graph, nil) // no sign-in step: cache only
	fmt.Println("bob from the cache:", errors.Is(err, oauth.ErrInteractionRequired))

	signInAsAlice := func(ctx context.Context, req *oauth.InteractiveRequest) (*oauth.TokenResult, error) {
		return client.RedeemToken(ctx, req, map[string][]string{"grant_type": {"password"},
			"username": {fa.DefaultUsername}, "password": {fa.DefaultPassword}}, "")
	}
	_, err = client.GetToken(context.Background(), graph, signInAsAlice)
	fmt.Println("alice's sign-in refused:", errors.Is(err, oauth.ErrAccountMismatch))
	// Output:
	// bob from the cache: true
	// alice's sign-in refused: true
}
