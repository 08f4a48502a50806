package oauth

import "context"

// AccountManager is a credential that keeps accounts it can get tokens
// for silently: every flow of this module (the Azure CLI session and the
// broker list theirs from Azure CLI's cache and the broker). A program
// shows Accounts to let the user pick one (its AuthenticationRecord comes
// from [RecordFromAccount]) and signs one out with RemoveAccount.
type AccountManager interface {
	// Accounts lists the accounts that can get tokens silently, after
	// reading a persistent cache.
	Accounts(ctx context.Context) ([]Account, error)
	// RemoveAccount forgets the account's tokens for this credential's
	// application. It does not sign the user out at the authority.
	RemoveAccount(ctx context.Context, a Account) error
}
