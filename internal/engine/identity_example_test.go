package engine_test

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

// A client bound to a user serves only that user's cached tokens: with
// alice the only account of a shared cache, a client bound to bob asks
// for a sign-in instead of returning alice's token, and a sign-in the
// authority answers for alice is refused.
func ExampleClient_BindUser() {
	a := fa.New(nil)
	shared := cache.New(nil, nil)
	opts := &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: shared}
	alice, _ := password.New("", &password.Options{ClientOptions: *opts, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	graph := oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	if _, err := alice.GetToken(context.Background(), graph); err != nil {
		panic(err)
	}

	client, _ := engine.New("", opts)
	client.BindUser("bob@contoso.onmicrosoft.com")
	_, err := client.GetToken(context.Background(), graph, nil) // no sign-in step: cache only
	fmt.Println("bob from the cache:", errors.Is(err, oauth.ErrInteractionRequired))

	signInAsAlice := func(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
		return client.RedeemToken(ctx, req, map[string][]string{"grant_type": {"password"},
			"username": {fa.DefaultUsername}, "password": {fa.DefaultPassword}}, "")
	}
	_, err = client.GetToken(context.Background(), graph, signInAsAlice)
	fmt.Println("alice's sign-in refused:", errors.Is(err, oauth.ErrAccountMismatch))
	// Output:
	// bob from the cache: true
	// alice's sign-in refused: true
}
