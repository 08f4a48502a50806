package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"golang.org/x/oauth2"
)

// A flow plugs its sign-in step into the engine; here the step is the
// password grant, against an in-memory fake authority.
func Example() {
	a := fa.New(nil)
	client, err := oauth.NewClient("", &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID})
	if err != nil {
		panic(err)
	}
	step := func(ctx context.Context, req *oauth.InteractiveRequest) (*oauth.TokenResult, error) {
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

func ExampleError() {
	a := fa.New(nil)
	cred, _ := oauth.NewPasswordCredential("", fa.MFAUsername, fa.DefaultPassword,
		&oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID})
	_, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	var e *oauth.Error
	if errors.As(err, &e) && e.HasAADSTS(50076) {
		fmt.Println("MFA required; claims challenge present:", e.Claims != "")
	}
	fmt.Println(errors.Is(err, oauth.ErrInteractionRequired))
	// Output:
	// MFA required; claims challenge present: true
	// true
}

func ExampleTokenSource() {
	a := fa.New(nil)
	cred, _ := oauth.NewPasswordCredential("", fa.DefaultUsername, fa.DefaultPassword,
		&oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID})
	ts := oauth.TokenSource(context.Background(), cred, "https://graph.microsoft.com/.default")
	tok, err := ts.Token()
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Type(), tok.Valid())
	// An *http.Client that sends the bearer token on every request.
	var _ *http.Client = oauth2.NewClient(context.Background(), ts)
	// Output: Bearer true
}

func ExampleNewPasswordCredential() {
	a := fa.New(nil)
	cred, err := oauth.NewPasswordCredential("", fa.DefaultUsername, fa.DefaultPassword,
		&oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID})
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

// A Microsoft Entra External ID (CIAM) tenant is reached on its own host;
// without a tenant path the tenant is NAME.onmicrosoft.com. Here the
// fake authority answers for contoso.ciamlogin.com in memory.
func ExampleAuthority_IsCIAM() {
	a := fa.New(nil)
	cred, err := oauth.NewPasswordCredential("", fa.DefaultUsername, fa.DefaultPassword, &oauth.ClientOptions{
		AuthorityHost: "https://" + fa.CIAMHost + "/", // https://contoso.ciamlogin.com/
		HTTPClient:    a.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, _ := oauth.ParseAuthority("https://"+fa.CIAMHost+"/", "")
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
