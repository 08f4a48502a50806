package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
	"golang.org/x/oauth2"
)

func ExampleError() {
	a := fa.New(nil)
	cred, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.MFAUsername, Password: fa.DefaultPassword})
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
	cred, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
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
