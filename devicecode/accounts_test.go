package devicecode_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

// Accounts and RemoveAccount reach the engine: the signed-in user is
// listed, and after RemoveAccount the credential has no one to serve
// silently.
func TestAccountsAndRemoveAccount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fa := fakeauthority.New(&fakeauthority.Options{AutoApproveDevice: time.Second})
		cred, err := devicecode.New("", &devicecode.Options{
			ClientOptions: oauth.ClientOptions{HTTPClient: fa.Client(), TenantID: fakeauthority.DefaultTenantID},
			UserPrompt:    func(context.Context, devicecode.Message) error { return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if accts, err := cred.Accounts(ctx); err != nil || len(accts) != 0 {
			t.Fatalf("before sign-in: %v, %v", accts, err)
		}
		if _, err := cred.Authenticate(ctx, oauth.TokenOptions{Scopes: []string{"User.Read"}}); err != nil {
			t.Fatal(err)
		}
		accts, err := cred.Accounts(ctx)
		if err != nil || len(accts) != 1 || accts[0].Username != fakeauthority.DefaultUsername {
			t.Fatalf("Accounts = %+v, %v", accts, err)
		}
		if err := cred.RemoveAccount(ctx, accts[0]); err != nil {
			t.Fatal(err)
		}
		if accts, err := cred.Accounts(ctx); err != nil || len(accts) != 0 {
			t.Errorf("after RemoveAccount: %+v, %v", accts, err)
		}
	})
}
