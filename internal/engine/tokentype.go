package engine

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
)

// getBound is GetToken for opts.Bound != nil: the cached entry of that
// type whose key_id matches, else a refresh-token redemption carrying the
// bound token's form fields. Without a refresh token the user signs in
// first (a bearer request for the same scopes, as `az login` precedes
// `az ssh cert`).
func (c *Client) getBound(ctx context.Context, opts oauth.TokenOptions, step Interactive) (oauth.AccessToken, error) {
	b := opts.Bound
	if b.TokenType == "" || strings.EqualFold(b.TokenType, "bearer") || b.KeyID == "" {
		return oauth.AccessToken{}, oauth.ErrBoundToken
	}
	auth, err := c.resolveTenant(opts.TenantID)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	// A bound token is rare and costs a signature at the authority: read
	// what other processes (MSAL Python, `az`) stored first.
	if err := c.cache.Sync(ctx); err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "oauth: cache sync failed", slog.String("error", err.Error()))
	}
	acct := c.account.Load()
	if acct == nil {
		acct, _ = c.pickAccount()
	}
	if opts.Claims == "" && acct != nil {
		realm, rerr := c.resolveRealm(ctx, auth)
		if tok, ok := c.boundFromCache(opts, auth, realm, acct.HomeAccountID, time.Now()); ok {
			return tok, nil
		}
		if rerr != nil {
			return oauth.AccessToken{}, rerr // its answer's tid could not be checked
		}
	}
	claims, err := mergeClaims(opts.Claims, opts.EnableCAE)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	bearer := opts
	bearer.Bound = nil
	if acct != nil {
		tok, err := c.refresh(ctx, opts, auth, acct, claims)
		if err == nil || !errors.Is(err, errNeedInteraction) {
			tok.TokenType = b.TokenType
			return tok, err
		}
		if c.opts.DisableAutomaticAuthentication || step == nil {
			// No sign-in may run: say so with the authority's refusal of
			// the refresh token, as the bearer path does. Asking the
			// bearer path instead would lose it (the refused token is
			// gone from the cache by then).
			return c.interactive(ctx, bearer, auth, acct, claims, step, err)
		}
	}
	if _, err := c.GetToken(ctx, bearer, step); err != nil {
		return oauth.AccessToken{}, err
	}
	if acct = c.account.Load(); acct == nil {
		return oauth.AccessToken{}, errNeedInteraction
	}
	tok, err := c.refresh(ctx, opts, auth, acct, claims)
	tok.TokenType = b.TokenType
	return tok, err
}

// boundFromCache is the cached token of opts.Bound's type for this
// account whose key_id is the request's, with at least minRemaining left.
func (c *Client) boundFromCache(opts oauth.TokenOptions, auth Authority, realm, home string, now time.Time) (oauth.AccessToken, bool) {
	k := cache.NewAccessTokenKey(home, auth.Host, strings.ToLower(realm), c.clientID, opts.Scopes, opts.Bound.TokenType, opts.EnableCAE)
	at, ok := c.cache.AccessTokenAt(k, now)
	if !ok || at.KeyID != opts.Bound.KeyID || at.ExpiresOn.Sub(now) <= minRemaining {
		return oauth.AccessToken{}, false
	}
	return oauth.AccessToken{Token: at.Secret, ExpiresOn: at.ExpiresOn, RefreshOn: at.RefreshOn, TokenType: opts.Bound.TokenType}, true
}

// addBound adds a bound request's form fields to a token request.
func addBound(form url.Values, b *oauth.BoundToken) {
	if b == nil {
		return
	}
	for k, v := range b.Params {
		form.Set(k, v)
	}
	form.Set("token_type", b.TokenType)
	form.Set("key_id", b.KeyID)
}

// markBound stamps the access-token entry of a bound request with its
// type and key, as MSAL Python's TokenCache does
// (msal/token_cache.py: token_type from the response, key_id from data).
func markBound(at *cache.AccessToken, b *oauth.BoundToken) {
	if b == nil || at == nil {
		return
	}
	at.TokenType = b.TokenType
	at.KeyID = b.KeyID
}
