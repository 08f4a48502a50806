package devicecode

import (
	"context"

	"github.com/entraauth/entraauth/oauth"
)

var (
	_ oauth.Authenticator  = (*Credential)(nil)
	_ oauth.AccountManager = (*Credential)(nil)
)

// Accounts lists the cached accounts that can get tokens from this
// credential silently (after syncing a persistent cache).
func (c *Credential) Accounts(ctx context.Context) ([]oauth.Account, error) {
	return c.client.Accounts(ctx)
}

// RemoveAccount deletes an account's tokens for this credential's client
// from the cache (access, ID and refresh tokens, family refresh tokens
// included). It does not sign the user out at the authority.
func (c *Credential) RemoveAccount(ctx context.Context, a oauth.Account) error {
	return c.client.RemoveAccount(ctx, a)
}
