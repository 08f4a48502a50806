package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/entraauth/entraauth/oauth"
)

// Authenticate runs step to sign a user in (even when a token is cached),
// caches the tokens, and returns the record that lets a later credential
// use this account silently. Empty opts.Scopes means
// [oauth.DefaultAuthenticateScope]. DisableAutomaticAuthentication does not
// apply: this is the explicit sign-in.
//
// Authenticate is about a durable sign-in, so when the tokens could not
// be persisted (the cache's storage failed to lock, read or write) it
// returns an error matching cache.ErrNotPersisted (and the storage's
// error), together with the record: the user did sign in, the tokens are
// kept in memory and this client's GetToken serves them silently, but a
// later process given the record would have to sign in again. An
// application that only needs this process can check for
// cache.ErrNotPersisted and go on. GetToken, by contrast, returns its
// token when persisting fails and only logs the failure.
func (c *Client) Authenticate(ctx context.Context, opts oauth.TokenOptions, step Interactive) (oauth.AuthenticationRecord, error) {
	if step == nil {
		return oauth.AuthenticationRecord{}, errors.New("oauth: Authenticate needs a sign-in step")
	}
	if len(opts.Scopes) == 0 {
		opts.Scopes = []string{oauth.DefaultAuthenticateScope}
	}
	auth, err := c.resolveTenant(opts.TenantID)
	if err != nil {
		return oauth.AuthenticationRecord{}, err
	}
	claims, err := mergeClaims(opts.Claims, opts.EnableCAE)
	if err != nil {
		return oauth.AuthenticationRecord{}, err
	}
	res, err := c.runStep(ctx, opts, auth, c.account.Load(), claims, step)
	if err != nil {
		return oauth.AuthenticationRecord{}, err
	}
	if _, err := c.save(ctx, opts, auth, res); err != nil {
		return c.record(auth, res), fmt.Errorf("oauth: signed in, but the token cache could not be persisted "+
			"(the tokens are kept in memory for this process only): %w", err)
	}
	return c.record(auth, res), nil
}

// record builds azidentity's AuthenticationRecord for a sign-in result.
func (c *Client) record(auth Authority, res *TokenResult) oauth.AuthenticationRecord {
	tenant := res.Account.Realm
	if tenant == "" {
		tenant = auth.Tenant
	}
	return oauth.AuthenticationRecord{
		Authority:     auth.Base(),
		ClientID:      c.clientID,
		HomeAccountID: res.Account.HomeAccountID,
		TenantID:      tenant,
		Username:      res.Account.Username,
		Version:       "1.0",
	}
}

// Accounts lists the cached accounts that can sign in to this client
// silently (after syncing a persistent cache).
func (c *Client) Accounts(ctx context.Context) ([]oauth.Account, error) {
	if err := c.cache.Sync(ctx); err != nil {
		return nil, err
	}
	var out []oauth.Account
	for _, a := range c.cache.Accounts(c.auth.Host, c.clientID) {
		out = append(out, fromCacheAccount(a))
	}
	return out, nil
}

// RemoveAccount deletes an account's tokens for this client from the
// cache: access, ID and refresh tokens, family refresh tokens included.
// It does not sign the user out at the authority.
func (c *Client) RemoveAccount(ctx context.Context, a oauth.Account) error {
	if a.HomeAccountID == "" {
		return errors.New("oauth: RemoveAccount needs the account's HomeAccountID")
	}
	env := a.Environment
	if env == "" {
		env = c.auth.Host
	}
	if cur := c.account.Load(); cur != nil && strings.EqualFold(cur.HomeAccountID, a.HomeAccountID) {
		c.account.CompareAndSwap(cur, nil)
	}
	return c.cache.RemoveAccount(ctx, a.HomeAccountID, env, c.clientID)
}
