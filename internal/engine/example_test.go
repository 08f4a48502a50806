package engine_test

import (
	"context"
	"fmt"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// A flow plugs its sign-in step into the engine; here the step is the
// password grant, against an in-memory fake authority.
func Example() {
	a := fa.New(nil)
	client, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID})
	if err != nil {
		panic(err)
	}
	step := func(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
		fmt.Println("signing in to tenant", req.TenantID)
		return client.RedeemToken(ctx, req, map[string][]string{
			"grant_type": {"password"}, "username": {fa.DefaultUsername}, "password": {fa.DefaultPassword},
		}, "")
	}
	opts := oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	for range 3 {
		if _, err := client.GetToken(context.Background(), opts, step); err != nil {
			panic(err)
		}
	}
	fmt.Println("token requests:", a.Count(fa.EndpointToken))
	// Output:
	// signing in to tenant 7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f
	// token requests: 1
}

// A Microsoft Entra External ID (CIAM) tenant is reached on its own host;
// without a tenant path the tenant is NAME.onmicrosoft.com. Here the
// fake authority answers for contoso.ciamlogin.com in memory.
func ExampleAuthority_IsCIAM() {
	a := fa.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{
		AuthorityHost: "https://" + fa.CIAMHost + "/", // https://contoso.ciamlogin.com/
		HTTPClient:    a.Client(),
	}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, _ := engine.ParseAuthority("https://"+fa.CIAMHost+"/", "")
	fmt.Println(auth, auth.IsCIAM())
	rec, err := cred.Authenticate(context.Background(), oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.Authority, rec.TenantID == fa.DefaultTenantID, a.Count(fa.EndpointInstance))
	// Output:
	// https://contoso.ciamlogin.com/contoso.onmicrosoft.com true
	// https://contoso.ciamlogin.com true 0
}
