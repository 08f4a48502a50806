package engine

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
)

// keyMemo remembers the cache key of a recent request so the hot path
// builds none: a scan of a short immutable slice, no allocation.
type keyMemo struct {
	scopes []string
	tenant string
	home   string
	cae    bool
	key    cache.AccessTokenKey
	// last is the key's most recent cache hit: while the cache index is
	// unchanged, the hot path rechecks it (a pointer comparison and the
	// expiry test) instead of hashing key. Allocated with the entry, so
	// copies of the entry in a newer memo share it.
	last *atomic.Pointer[tokenHit]
}

const maxMemo = 32

// flightKeyOf returns the access-token key a request's flight is named
// by, from the memo when it was seen before: that of auth's tenant as
// configured, not cacheRealm's, so that the flight's name stays the
// same while a domain tenant's ID is learnt (the callers of a flight
// that learns it share it).
func (c *Client) flightKeyOf(scopes []string, auth Authority, cae bool, home string) cache.AccessTokenKey {
	return c.realmKey(scopes, auth.Host, auth.Tenant, cae, home)
}

// realmKey is accessKey for the access token stored under realm.
func (c *Client) realmKey(scopes []string, host, realm string, cae bool, home string) cache.AccessTokenKey {
	return c.memoEntry(scopes, host, realm, cae, home).key
}

// memoEntry returns the memo's entry for a request, adding it when new.
func (c *Client) memoEntry(scopes []string, host, realm string, cae bool, home string) *keyMemo {
	if m := c.memo.Load(); m != nil {
		for i := range *m {
			e := &(*m)[i]
			if e.cae == cae && e.home == home && e.tenant == realm && slices.Equal(e.scopes, scopes) {
				return e
			}
		}
	}
	key := cache.NewAccessTokenKey(home, host, strings.ToLower(realm), c.clientID, scopes, "", cae)
	e := keyMemo{scopes: slices.Clone(scopes), tenant: realm, home: home, cae: cae, key: key, last: new(atomic.Pointer[tokenHit])}
	for {
		old := c.memo.Load()
		var next []keyMemo
		if old != nil {
			next = make([]keyMemo, 0, min(len(*old)+1, maxMemo))
			next = append(next, e)
			next = append(next, (*old)[:min(len(*old), maxMemo-1)]...)
		} else {
			next = []keyMemo{e}
		}
		if c.memo.CompareAndSwap(old, &next) {
			return &next[0]
		}
	}
}

// tokenHit is a cache hit with what the hot path returns of its token,
// copied once when the hit is found (the entry is some 250 bytes; the
// hot path reads three of its fields).
type tokenHit struct {
	hit                  cache.Hit
	secret               string
	expiresOn, refreshOn time.Time
}

// lookupAccess is the cache lookup of memo's key at now: the key's last
// hit when the cache index has not changed since and the token is still
// valid (no hashing, no copy), else a lookup that becomes the new last
// hit.
func (c *Client) lookupAccess(memo *keyMemo, now time.Time) (*tokenHit, bool) {
	if t := memo.last.Load(); t != nil && c.cache.HitCurrent(&t.hit) && t.expiresOn.After(now) {
		return t, true
	}
	h, ok := c.cache.AccessTokenHit(memo.key, now)
	if !ok {
		return nil, false
	}
	at, ok := c.cache.AccessTokenRecheck(&h, now)
	if !ok {
		return nil, false
	}
	t := &tokenHit{hit: h, secret: at.Secret, expiresOn: at.ExpiresOn, refreshOn: at.RefreshOn} // only a hit escapes to the heap
	memo.last.Store(t)
	return t, true
}

// flightKey identifies requests that can share one token request.
type flightKey struct {
	at     cache.AccessTokenKey
	claims string
}

// flight is one token acquisition shared by every caller of the same key.
// Its context is cancelled when every waiter has gone.
type flight struct {
	done       chan struct{}
	background bool // a proactive refresh: refresh token only, no sign-in
	tok        oauth.AccessToken
	err        error
	mu         sync.Mutex
	waiters    int
	cancel     context.CancelFunc
}

// acquireShared runs acquire once per flight key; the other callers wait
// for its result, each bounded by its own context.
func (c *Client) acquireShared(ctx context.Context, opts oauth.TokenOptions, auth Authority, acct *oauth.Account, step Interactive) (oauth.AccessToken, error) {
	claims, err := mergeClaims(opts.Claims, opts.EnableCAE)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	home := ""
	if acct != nil {
		home = acct.HomeAccountID
	}
	fk := flightKey{at: c.flightKeyOf(opts.Scopes, auth, opts.EnableCAE, home), claims: opts.Claims}
	for {
		f, leader := c.join(fk)
		if leader {
			// The flight outlives its first caller: it ends when every waiter
			// has gone (each bounded by its own context), or when it is done.
			fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			f.mu.Lock()
			f.cancel = cancel
			f.mu.Unlock()
			go func() {
				defer cancel()
				tok, err := c.acquire(fctx, opts, auth, acct, claims, step)
				c.finish(fk, f, tok, err)
			}()
		}
		select {
		case <-f.done:
			if f.background && f.err != nil {
				continue // a failed proactive refresh: acquire in full
			}
			return f.tok, f.err
		case <-ctx.Done():
			c.leave(fk, f)
			return oauth.AccessToken{}, ctx.Err()
		}
	}
}

func (c *Client) join(fk flightKey) (*flight, bool) {
	c.flightMu.Lock()
	defer c.flightMu.Unlock()
	if f, ok := c.flights[fk]; ok {
		f.mu.Lock()
		f.waiters++
		f.mu.Unlock()
		return f, false
	}
	f := &flight{done: make(chan struct{}), waiters: 1}
	c.flights[fk] = f
	return f, true
}

func (c *Client) finish(fk flightKey, f *flight, tok oauth.AccessToken, err error) {
	c.flightMu.Lock()
	if c.flights[fk] == f {
		delete(c.flights, fk)
	}
	c.flightMu.Unlock()
	f.tok, f.err = tok, err
	close(f.done)
}

// leave drops a waiter; the last one to leave cancels the flight and
// removes it, under the same lock as join, so a caller arriving later
// starts a flight of its own instead of joining one already cancelled.
func (c *Client) leave(fk flightKey, f *flight) {
	c.flightMu.Lock()
	f.mu.Lock()
	f.waiters--
	last := f.waiters == 0
	cancel := f.cancel
	f.mu.Unlock()
	if last && c.flights[fk] == f {
		delete(c.flights, fk)
	}
	c.flightMu.Unlock()
	if last && cancel != nil {
		cancel()
	}
}

// refreshInBackground starts one refresh for key unless one is running.
// Its failure is logged: the caller already has a valid token.
func (c *Client) refreshInBackground(ctx context.Context, key cache.AccessTokenKey, opts oauth.TokenOptions, auth Authority, acct *oauth.Account) {
	fk := flightKey{at: key}
	c.flightMu.Lock()
	if _, running := c.flights[fk]; running {
		c.flightMu.Unlock()
		return
	}
	f := &flight{done: make(chan struct{}), background: true}
	c.flights[fk] = f
	c.flightMu.Unlock()
	opts.Scopes = slices.Clone(opts.Scopes)
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backgroundTimeout)
	go func() {
		defer cancel()
		c.log.LogAttrs(bctx, slog.LevelInfo, "oauth: proactive refresh", slog.String("tenant", auth.Tenant))
		claims, _ := mergeClaims("", opts.EnableCAE)
		tok, err := c.refresh(bctx, opts, auth, acct, claims)
		if err != nil {
			c.log.LogAttrs(bctx, slog.LevelWarn, "oauth: proactive refresh failed; the cached token stays in use",
				slog.String("error", err.Error()))
		}
		c.finish(fk, f, tok, err)
	}()
}
