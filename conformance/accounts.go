package conformance

import (
	"context"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// AccountsSubject is a credential with an explicit sign-in whose
// signed-in accounts can be listed and removed.
type AccountsSubject interface {
	Authenticate(ctx context.Context, opts oauth.TokenOptions) (oauth.AuthenticationRecord, error)
	Accounts(ctx context.Context) ([]oauth.Account, error)
	RemoveAccount(ctx context.Context, a oauth.Account) error
}

// TestAccounts checks that Accounts and RemoveAccount reach cred's
// cache: cred, built against a fake authority with its default user and
// an empty cache, lists no account before Authenticate, that user after
// it, and none after RemoveAccount of that user. Unlike [TestCredential]
// it logs no result line: call it from a flow's own test, inside a
// testing/synctest bubble when the sign-in waits.
func TestAccounts(t *testing.T, cred AccountsSubject) {
	t.Helper()
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
}
