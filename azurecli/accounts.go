package azurecli

import (
	"context"

	"github.com/entraauth/entraauth/oauth"
)

var _ oauth.AccountManager = (*Credential)(nil)

// Accounts lists the accounts in Azure CLI's token cache that can sign in
// to the Azure CLI client silently (az account list shows their
// subscriptions). It fails with an *oauth.CredentialUnavailableError when
// there is no Azure CLI session to read.
func (c *Credential) Accounts(ctx context.Context) ([]oauth.Account, error) {
	client, err := c.engine(ctx)
	if err != nil {
		return nil, &oauth.CredentialUnavailableError{Credential: name, Reason: "no Azure CLI token cache to read; run az login", Err: err}
	}
	return client.Accounts(ctx)
}

// RemoveAccount deletes an account's tokens from Azure CLI's token cache,
// under its lock: az then needs az login for that account, as after
// az logout (which also edits azureProfile.json; this does not). It does
// not sign the user out at the authority.
func (c *Credential) RemoveAccount(ctx context.Context, a oauth.Account) error {
	client, err := c.engine(ctx)
	if err != nil {
		return &oauth.CredentialUnavailableError{Credential: name, Reason: "no Azure CLI token cache to read; run az login", Err: err}
	}
	return client.RemoveAccount(ctx, a)
}
