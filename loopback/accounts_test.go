package loopback_test

import (
	"testing"

	"github.com/entraauth/entraauth/conformance"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// Accounts and RemoveAccount reach the engine: the signed-in user is
// listed, and after RemoveAccount no longer.
func TestAccountsAndRemoveAccount(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	cred, err := loopback.New("", &loopback.Options{
		ClientOptions: oauth.ClientOptions{HTTPClient: fa.Client(), TenantID: fakeauthority.DefaultTenantID},
		OpenURL:       stubBrowser(fa.Client(), 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	conformance.TestAccounts(t, cred)
}
