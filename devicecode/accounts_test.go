package devicecode_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance"
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
		conformance.TestAccounts(t, cred)
	})
}
