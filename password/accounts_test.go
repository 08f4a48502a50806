package password_test

import (
	"context"
	"testing"

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
	ctx := context.Background()
	if accts, err := cred.Accounts(ctx); err != nil || len(accts) != 0 {
		t.Fatalf("before sign-in: %v, %v", accts, err)
	}
	if _, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"User.Read"}}); err != nil {
		t.Fatal(err)
	}
	accts, err := cred.Accounts(ctx)
	if err != nil || len(accts) != 1 || accts[0].Username != fa.DefaultUsername {
		t.Fatalf("Accounts = %+v, %v", accts, err)
	}
	if err := cred.RemoveAccount(ctx, accts[0]); err != nil {
		t.Fatal(err)
	}
	if accts, err := cred.Accounts(ctx); err != nil || len(accts) != 0 {
		t.Errorf("after RemoveAccount: %+v, %v", accts, err)
	}
	// The password is still there: the next call signs in again, with a request.
	a.ResetLog()
	if _, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"User.Read"}}); err != nil || a.Count(fa.EndpointToken) != 1 {
		t.Errorf("after RemoveAccount: %v, %d token requests; want a new sign-in", err, a.Count(fa.EndpointToken))
	}
}
