package engine

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/entraauth/entraauth/oauth"
)

// binding is the user a client is bound to: the home account of its
// AuthenticationRecord, or a username (a password credential's, a login
// hint). The zero value binds to nobody.
type binding struct {
	homeAccountID string
	username      string
}

// allows reports whether the cached account (home account ID, username)
// is the bound user's: home account IDs and usernames compare
// case-insensitively. An unbound client allows every account.
func (b binding) allows(homeAccountID, username string) bool {
	switch {
	case b.homeAccountID != "":
		return strings.EqualFold(homeAccountID, b.homeAccountID)
	case b.username != "":
		return strings.EqualFold(username, b.username)
	}
	return true
}

// check refuses a sign-in result for another user than the bound one.
func (b binding) check(a oauth.Account) error {
	if b.allows(a.HomeAccountID, a.Username) {
		return nil
	}
	if b.homeAccountID != "" {
		return accountMismatch("signed in as another account than the AuthenticationRecord's")
	}
	return accountMismatch("signed in as another user than the credential's username or login hint")
}

// BindUser binds the client to username (compared case-insensitively with
// the ID token's preferred_username, else upn): GetToken then serves only
// that user's cached accounts, and a sign-in that returns another user is
// refused with an error matching [oauth.ErrAccountMismatch]. A flow calls it
// right after [New], before any request: the password credential
// binds to its username, the browser flow to its login hint. A client
// built with an AuthenticationRecord is bound to the record's account and
// ignores BindUser. A client bound to nobody serves the only account of
// its client ID in the cache, whoever that is.
func (c *Client) BindUser(username string) {
	c.bound.username = username
}

// sameUser checks that a refresh did not switch the user (OIDC Core 12.2):
// the result is for the account refreshed, and when an ID token of this
// account and tenant is cached, the new one has the same iss, sub, oid and
// tid. On mismatch nothing is cached and the old tokens stay.
//
// prev is the token this client verified last before res's (nil when
// none): when it is the cached one its claims are reused, not decoded.
func (c *Client) sameUser(ctx context.Context, auth Authority, acct *oauth.Account, res *TokenResult, prev *verifiedToken) error {
	if !strings.EqualFold(res.Account.HomeAccountID, acct.HomeAccountID) {
		return accountMismatch("refresh returned tokens for another account")
	}
	realm := c.cacheRealm(ctx, auth)
	cached, ok := c.cache.IDToken(acct.HomeAccountID, auth.Host, strings.ToLower(realm), c.clientID)
	if !ok && realm != auth.Tenant {
		cached, ok = c.cache.IDToken(acct.HomeAccountID, auth.Host, strings.ToLower(auth.Tenant), c.clientID)
	}
	if !ok {
		return nil
	}
	var base *IDTokenClaims
	var err error
	if prev != nil && prev.raw == cached.Secret {
		base = prev.claims
	} else if base, err = unverifiedClaims(cached.Secret); err != nil {
		return nil // a cached ID token we cannot read (another writer's) is no baseline
	}
	cl := res.Claims
	if cl.Issuer != base.Issuer || cl.Subject != base.Subject ||
		!strings.EqualFold(cl.ObjectID, base.ObjectID) || !strings.EqualFold(cl.TenantID, base.TenantID) {
		return accountMismatch("refreshed ID token names another user (iss, sub, oid or tid changed)")
	}
	return nil
}

// unverifiedClaims decodes the claims of a JWT without checking its
// signature, for an ID token that was verified when it was cached.
func unverifiedClaims(raw string) (*IDTokenClaims, error) {
	if len(raw) > maxIDTokenLen {
		return nil, idTokenError("larger than 64 KiB")
	}
	parts := strings.SplitN(raw, ".", 4)
	if len(parts) != 3 {
		return nil, idTokenError("not a compact JWS (3 parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, idTokenError("payload is not base64url")
	}
	return ParseIDTokenClaims(payload)
}
