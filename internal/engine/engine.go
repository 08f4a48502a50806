package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
)

const (
	// refreshBefore: with no refresh_on, a token is renewed in the
	// background this long before it expires.
	refreshBefore = 5 * time.Minute
	// minRemaining: a cached token with less life left is not returned;
	// the caller waits for a new one.
	minRemaining = 1 * time.Minute
	// backgroundTimeout bounds a background refresh.
	backgroundTimeout = 60 * time.Second
)

// GetToken returns an access token for opts: from the cache when a valid
// one is there (no network request at all), else by redeeming the
// account's refresh token (its own or its family's) for opts.Scopes, else
// by running step. Concurrent calls for the same request share one token
// request. A token due for proactive renewal (refresh_on, or 5 minutes
// before expiry) is returned at once while one background refresh runs.
func (c *Client) GetToken(ctx context.Context, opts oauth.TokenOptions, step Interactive) (oauth.AccessToken, error) {
	if len(opts.Scopes) == 0 {
		return oauth.AccessToken{}, oauth.ErrNoScopes
	}
	if opts.Bound != nil {
		return c.getBound(ctx, opts, step) // tokentype.go
	}
	auth := c.auth // the usual case, without resolveTenant's call
	if opts.TenantID != "" {
		var err error
		if auth, err = c.resolveTenant(opts.TenantID); err != nil {
			return oauth.AccessToken{}, err
		}
	}
	acct := c.account.Load()
	if acct == nil {
		acct = c.loadAccount(ctx)
	}
	if opts.Claims == "" && acct != nil {
		realm := c.cacheRealm(ctx, auth)
		memo := c.memoEntry(opts.Scopes, auth.Host, realm, opts.EnableCAE, acct.HomeAccountID)
		now := time.Now() // one clock reading serves the cache and the renewal check
		at, ok := c.lookupAccess(memo, now)
		if !ok {
			at, ok = c.equivalentRealmToken(opts, auth, realm, acct.HomeAccountID, now)
		}
		if ok {
			if at.expiresOn.Sub(now) > minRemaining {
				if refreshDue(at.expiresOn, at.refreshOn, now) {
					key := memo.key // the flight's key (flightKeyOf): a domain's, not its ID's
					if realm != auth.Tenant {
						key = c.flightKeyOf(opts.Scopes, auth, opts.EnableCAE, acct.HomeAccountID)
					}
					c.refreshInBackground(ctx, key, opts, auth, acct)
				}
				if c.log.Enabled(ctx, slog.LevelDebug) {
					c.log.LogAttrs(ctx, slog.LevelDebug, "oauth: cache hit", slog.String("tenant", auth.Tenant))
				}
				return oauth.AccessToken{Token: at.secret, ExpiresOn: at.expiresOn, RefreshOn: at.refreshOn, TokenType: "Bearer"}, nil
			}
		}
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "oauth: cache miss", slog.String("tenant", auth.Tenant), slog.Bool("claims", opts.Claims != ""))
	return c.acquireShared(ctx, opts, auth, acct, step)
}

func refreshDue(expiresOn, refreshOn, now time.Time) bool {
	if !refreshOn.IsZero() && !now.Before(refreshOn) {
		return true
	}
	return expiresOn.Sub(now) <= refreshBefore
}

// loadAccount is pickAccount after reading the persistent storage: a new
// process knows no account until its cache has been read (a failure to
// read is logged; the memory's accounts are used).
func (c *Client) loadAccount(ctx context.Context) *oauth.Account {
	if err := c.cache.Sync(ctx); err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "oauth: cache sync failed", slog.String("error", err.Error()))
	}
	a, _ := c.pickAccount()
	return a
}

// pickAccount returns the cached account this client may serve silently,
// and remembers it, with the number of distinct accounts that qualified. A client bound to a user (an AuthenticationRecord's
// home account, a password credential's username, a login hint) considers
// only that user's accounts; an unbound client any account of this client
// ID. It picks an account only when exactly one qualifies; with none or
// several it returns nil (the caller then needs an AuthenticationRecord or
// an interactive sign-in). So a credential for bob never returns the
// token of alice, the only user in a shared cache.
func (c *Client) pickAccount() (*oauth.Account, int) {
	var pick *cache.Account
	n := 0
	accts := c.cache.Accounts(c.auth.Host, c.clientID)
	for i := range accts {
		a := &accts[i]
		if !c.bound.allows(a.HomeAccountID, a.Username) {
			continue
		}
		if pick == nil || !strings.EqualFold(pick.HomeAccountID, a.HomeAccountID) {
			n++
		}
		pick = a
	}
	if n != 1 {
		return nil, n
	}
	a := fromCacheAccount(*pick)
	c.account.CompareAndSwap(nil, &a)
	return c.account.Load(), 1
}

func fromCacheAccount(a cache.Account) oauth.Account {
	return oauth.Account{HomeAccountID: a.HomeAccountID, Environment: a.Environment, Realm: a.Realm,
		Username: a.Username, LocalAccountID: a.LocalAccountID}
}

// acquire gets a token with the network: refresh token first, then the
// interactive step. It runs inside a flight (one per request key).
func (c *Client) acquire(ctx context.Context, opts oauth.TokenOptions, auth Authority, acct *oauth.Account, claims string, step Interactive) (oauth.AccessToken, error) {
	if err := c.cache.Sync(ctx); err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "oauth: cache sync failed", slog.String("error", err.Error()))
	}
	if acct == nil {
		// A sign-in may have finished since this caller looked, or the
		// sync just read another process's account: it serves this
		// flight, not a second sign-in.
		if acct = c.account.Load(); acct == nil {
			acct, _ = c.pickAccount()
		}
	}
	if acct != nil {
		if claims == "" {
			// A domain tenant's ID is learnt here, before any token
			// request: the tokens of MSAL Python or `az` are under it.
			realm, rerr := c.resolveRealm(ctx, auth)
			key := c.realmKey(opts.Scopes, auth.Host, realm, opts.EnableCAE, acct.HomeAccountID)
			now := time.Now()
			if at, ok := c.cache.AccessTokenAt(key, now); ok {
				if !refreshDue(at.ExpiresOn, at.RefreshOn, now) {
					return oauth.AccessToken{Token: at.Secret, ExpiresOn: at.ExpiresOn, RefreshOn: at.RefreshOn, TokenType: "Bearer"}, nil
				}
			} else if t, ok := c.equivalentRealmToken(opts, auth, realm, acct.HomeAccountID, now); ok && !refreshDue(t.expiresOn, t.refreshOn, now) {
				return oauth.AccessToken{Token: t.secret, ExpiresOn: t.expiresOn, RefreshOn: t.refreshOn, TokenType: "Bearer"}, nil
			}
			if rerr != nil {
				return oauth.AccessToken{}, rerr // its answer's tid could not be checked
			}
		}
		tok, err := c.refresh(ctx, opts, auth, acct, claims)
		if err == nil || !errors.Is(err, errNeedInteraction) {
			return tok, err
		}
		return c.interactive(ctx, opts, auth, acct, claims, step, err)
	}
	return c.interactive(ctx, opts, auth, acct, claims, step, nil)
}

// errNeedInteraction: no refresh token, or the one there was refused.
var errNeedInteraction = errors.New("oauth: no usable refresh token")

// maxRefreshAttempts bounds the refresh tokens one call redeems: a cache
// shared with other writers can hold several per account (one per scope
// set, superseded ones after a rotation), each try is a request.
const maxRefreshAttempts = 5

// refresh redeems the account's refresh tokens for opts.Scopes, newest
// first (the client's own and the family's, cache.RefreshTokens), until
// one is accepted. A token refused as dead or already redeemed (a writer
// sharing the cache rotated it) is removed and the next one is tried in
// the same call, after a cache sync that picks up a token another process
// stored meanwhile; a refusal that asks for interaction ends the search.
func (c *Client) refresh(ctx context.Context, opts oauth.TokenOptions, auth Authority, acct *oauth.Account, claims string) (oauth.AccessToken, error) {
	tried := map[string]bool{}
	var refused error // the authority's last refusal, kept for the caller
	for range maxRefreshAttempts {
		rt, ok := c.nextRefreshToken(acct.HomeAccountID, auth.Host, tried)
		if !ok {
			break
		}
		tried[rt.Secret] = true
		c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: redeeming refresh token",
			slog.String("tenant", auth.Tenant), slog.Bool("family", rt.FamilyID != ""), slog.Int("attempt", len(tried)))
		req := c.newRequest(opts, auth, claims, acct)
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt.Secret}}
		addBound(form, opts.Bound)
		res, err := c.RedeemToken(ctx, req, form, "")
		if err != nil {
			var oe *oauth.Error
			if !errors.As(err, &oe) || (oe.Code != "invalid_grant" && !errors.Is(oe, oauth.ErrInteractionRequired)) {
				return oauth.AccessToken{}, err
			}
			c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: refresh token refused",
				slog.String("code", oe.Code), attrInts("aadsts", oe.AADSTS), slog.String("correlation_id", oe.CorrelationID))
			refused = oe
			if claims != "" || errors.Is(oe, oauth.ErrInteractionRequired) {
				return oauth.AccessToken{}, needInteraction(oe)
			}
			if refreshTokenDead(oe) {
				c.forget(ctx, cache.NewRefreshTokenKey(acct.HomeAccountID, auth.Host, c.clientID, ""), rt.Secret)
				if err := c.cache.Sync(ctx); err != nil {
					c.log.LogAttrs(ctx, slog.LevelWarn, "oauth: cache sync failed", slog.String("error", err.Error()))
				}
			}
			continue
		}
		if res.Account.HomeAccountID != "" && !strings.EqualFold(res.Account.HomeAccountID, acct.HomeAccountID) {
			// OIDC 12.2: a refresh must not switch the user; keep the old tokens.
			return oauth.AccessToken{}, &oauth.Error{Endpoint: "token", Code: "invalid_response",
				Description: "refresh returned tokens for another account"}
		}
		return c.store(ctx, opts, auth, res)
	}
	return oauth.AccessToken{}, needInteraction(refused)
}

// needInteraction is errNeedInteraction with the authority's refusal
// that led to it, if any.
func needInteraction(refused error) error {
	if refused == nil {
		return errNeedInteraction
	}
	return fmt.Errorf("%w: %w", errNeedInteraction, refused)
}

// nextRefreshToken is the newest of the account's refresh tokens for this
// client that was not tried yet.
func (c *Client) nextRefreshToken(home, env string, tried map[string]bool) (cache.RefreshToken, bool) {
	for _, rt := range c.cache.RefreshTokens(home, env, c.clientID) {
		if !tried[rt.Secret] {
			return rt, true
		}
	}
	return cache.RefreshToken{}, false
}

// refreshTokenDead reports whether the authority refused the refresh
// token itself (revoked, expired, unused too long, unknown: invalid_grant
// with no sub-error, or bad_token or token_expired), rather than this
// request: a sign-in needed for these scopes (MFA, consent, a claims
// challenge, Conditional Access) leaves the token good for others, and a
// family token refused to a client outside the family (client_mismatch)
// stays good for the family.
func refreshTokenDead(e *oauth.Error) bool {
	if e.Code != "invalid_grant" || errors.Is(e, oauth.ErrInteractionRequired) {
		return false
	}
	switch e.SubError {
	case "", "bad_token", "token_expired":
		return true
	}
	return false
}

// forget removes a refused refresh token from the cache (and its
// storage), so the next call does not redeem it again.
func (c *Client) forget(ctx context.Context, k cache.RefreshTokenKey, secret string) {
	err := c.cache.RemoveRefreshToken(ctx, k, secret)
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "oauth: removing the refused refresh token from the cache failed",
			slog.String("error", err.Error()))
		return
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: refused refresh token removed from the cache")
}

func (c *Client) newRequest(opts oauth.TokenOptions, auth Authority, claims string, acct *oauth.Account) *InteractiveRequest {
	req := &InteractiveRequest{
		Scopes: withOIDCScopes(opts.Scopes), Claims: claims, TenantID: auth.Tenant,
		Endpoints: c.endpoints(auth), auth: auth,
	}
	if acct != nil {
		req.LoginHint = acct.Username
		req.acct = acct
	}
	return req
}

// interactive runs the flow's step, unless automatic authentication is off.
// cause is why no refresh token served (it wraps the authority's refusal,
// if there was one).
func (c *Client) interactive(ctx context.Context, opts oauth.TokenOptions, auth Authority, acct *oauth.Account, claims string, step Interactive, cause error) (oauth.AccessToken, error) {
	if c.opts.DisableAutomaticAuthentication || step == nil {
		if acct == nil {
			// No account to sign in silently: this credential cannot run
			// here without a prompt, so a chain may try another.
			return oauth.AccessToken{}, c.noAccount(ctx, opts)
		}
		are := &oauth.AuthenticationRequiredError{TokenOptions: opts}
		var oe *oauth.Error
		if errors.As(cause, &oe) {
			are.Err = oe
		}
		return oauth.AccessToken{}, are
	}
	res, err := c.runStep(ctx, opts, auth, acct, claims, step)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	return c.store(ctx, opts, auth, res)
}

func (c *Client) runStep(ctx context.Context, opts oauth.TokenOptions, auth Authority, acct *oauth.Account, claims string, step Interactive) (*TokenResult, error) {
	if _, err := c.discoverInstance(ctx, auth); err != nil {
		return nil, err
	}
	// Fetch the key set while the user signs in.
	c.keySet(c.endpoints(auth).Keys).prefetch(ctx, c.cache, c.authorityString(auth), &c.wire.conns)
	c.prefetchTenant(ctx, auth)
	c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: interactive sign-in", slog.String("tenant", auth.Tenant))
	res, err := step(ctx, c.newRequest(opts, auth, claims, acct))
	c.wire.conns.fire(false) // a step that sent nothing no longer holds the key-set fetch back
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: sign-in failed", slog.String("error", err.Error()))
		return nil, err
	}
	if res == nil || res.AccessToken == "" {
		return nil, &oauth.Error{Endpoint: "token", Code: "invalid_response", Description: "sign-in step returned no token"}
	}
	if err := c.complete(ctx, auth, res, ""); err != nil {
		return nil, err
	}
	return res, nil
}

// store writes res to the cache and makes its account the client's. A
// failure to persist the cache is logged only: the tokens are in memory,
// and the caller of GetToken gets its token.
func (c *Client) store(ctx context.Context, opts oauth.TokenOptions, auth Authority, res *TokenResult) (oauth.AccessToken, error) {
	tok, _ := c.save(ctx, opts, auth, res)
	return tok, nil
}

// save is store returning, besides the token, the error of a cache write
// that was not persisted (it matches cache.ErrNotPersisted), for
// Authenticate.
func (c *Client) save(ctx context.Context, opts oauth.TokenOptions, auth Authority, res *TokenResult) (oauth.AccessToken, error) {
	realm, _ := c.resolveRealm(ctx, auth) // logged; entries without an ID token go under the domain then
	u := c.update(opts, auth, realm, res)
	var notPersisted error
	if err := c.cache.Write(ctx, u); err != nil {
		// The entries are in memory; only persisting failed (or a corrupt
		// document was moved aside and a new one written).
		c.log.LogAttrs(ctx, slog.LevelWarn, "oauth: cache write failed", slog.String("error", err.Error()))
		if errors.Is(err, cache.ErrNotPersisted) {
			notPersisted = err
		}
	}
	if res.Account.HomeAccountID != "" {
		a := res.Account
		c.account.Store(&a)
	}
	attrs := []slog.Attr{slog.String("tenant", auth.Tenant), slog.Time("expires_on", res.ExpiresOn),
		slog.Bool("refresh_token", res.RefreshToken != "")}
	if c.opts.LogPII {
		attrs = append(attrs, slog.String("username", res.Account.Username), slog.String("home_account_id", res.Account.HomeAccountID))
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: token acquired", attrs...)
	return oauth.AccessToken{Token: res.AccessToken, ExpiresOn: res.ExpiresOn, RefreshOn: res.RefreshOn, TokenType: "Bearer"}, notPersisted
}

// update is the cache update for res, its realm-keyed entries under realm
// (resolveRealm).
func (c *Client) update(opts oauth.TokenOptions, auth Authority, realm string, res *TokenResult) cache.Update {
	env, home := auth.Host, res.Account.HomeAccountID
	realm = strings.ToLower(realm)
	now := time.Now()
	u := cache.Update{
		AccessToken: &cache.AccessToken{
			HomeAccountID: home, Environment: env, Realm: realm, ClientID: c.clientID,
			Secret: res.AccessToken, Target: strings.Join(res.Scopes, " "), TokenType: "Bearer",
			CachedAt: now, ExpiresOn: res.ExpiresOn, ExtendedExpiresOn: res.ExtExpiresOn,
			RefreshOn: res.RefreshOn, CAE: opts.EnableCAE,
		},
		AppMetadata:     &cache.AppMetadata{ClientID: c.clientID, Environment: env, FamilyID: res.FamilyID},
		RequestedScopes: opts.Scopes,
	}
	markBound(u.AccessToken, opts.Bound)
	if res.RefreshToken != "" {
		u.RefreshToken = &cache.RefreshToken{HomeAccountID: home, Environment: env, ClientID: c.clientID,
			Secret: res.RefreshToken, FamilyID: res.FamilyID}
	}
	if res.IDToken != "" {
		u.IDToken = &cache.IDToken{HomeAccountID: home, Environment: env, Realm: realm, ClientID: c.clientID, Secret: res.IDToken}
	}
	if home != "" {
		typ := "MSSTS"
		if auth.IsADFS() {
			typ = "ADFS"
		}
		a := &cache.Account{HomeAccountID: home, Environment: env, Realm: realm,
			LocalAccountID: res.Account.LocalAccountID, Username: res.Account.Username,
			AuthorityType: typ, ClientInfo: res.ClientInfo}
		if res.Claims != nil {
			a.Name = res.Claims.Name
		}
		u.Account = a
	}
	return u
}
