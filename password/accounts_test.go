package password_test

import (
	"context"
	"testing"

	"github.com/entraauth/entraauth/conformance"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

func TestPasswordAccountsAndRemoveAccount(t *testing.T) {
	a := fa.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	conformance.TestAccounts(t, cred)
	// The password is still there: the next call signs in again, with a request.
	a.ResetLog()
	if _, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}}); err != nil || a.Count(fa.EndpointToken) != 1 {
		t.Errorf("after RemoveAccount: %v, %d token requests; want a new sign-in", err, a.Count(fa.EndpointToken))
	}
}
