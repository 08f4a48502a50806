package cache

import (
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a [Cache]. A nil *Options means the defaults.
type Options struct {
	// Logger receives warnings (a corrupt cache moved aside, a failed
	// reload). Nil discards them. No secret is ever logged.
	Logger *slog.Logger
}

// Cache is an in-memory token cache in MSAL's unified schema, optionally
// persisted to a [Storage]. It is safe for concurrent use.
//
// Lookups ([Cache.AccessToken], [Cache.RefreshToken], ...) read memory
// only: no I/O, no allocation. Changes ([Cache.Write],
// [Cache.RemoveAccount], [Cache.RemoveRefreshToken], [Cache.Merge]) take
// the storage's cross-process lock, reload the stored document, apply the
// change to it, and write it back, all under the lock, so two processes
// sharing a storage never lose each other's tokens. [Cache.Sync] brings memory up to date with changes other
// processes made; call it after a lookup misses and before redeeming a
// refresh token (Entra rotates refresh tokens).
type Cache struct {
	storage Storage
	log     *slog.Logger

	// view is what access-token lookups read, without a lock; writers
	// replace it (copy-on-write) under mu.
	view atomic.Pointer[view]

	mu        sync.RWMutex
	s         *store
	seq       uint64                            // counts loads and writes, for refresh-token order
	alias     map[AccessTokenKey]AccessTokenKey // requested-scope key -> granted-scope key
	loaded    bool                              // storage read at least once
	installed bool                              // a document was installed at least once
	reported  map[string]bool                   // skipped entries already logged
	version   string                            // storage version at the last read
	lastSweep time.Time
}

// sweepEvery bounds how often a change also sweeps expired access tokens
// (an O(n) pass), so a write stays O(1) amortized for a cache with no storage.
const sweepEvery = time.Minute

// New returns a cache persisted to storage, or memory-only when storage is
// nil. It does no I/O: the first [Cache.Sync] or [Cache.Write] loads what
// storage holds.
func New(storage Storage, opts *Options) *Cache {
	c := &Cache{storage: storage, s: newStore(), alias: map[AccessTokenKey]AccessTokenKey{}}
	if opts != nil && opts.Logger != nil {
		c.log = opts.Logger
	} else {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c.view.Store(emptyView)
	return c
}

// AccessToken returns the access token stored for k that has not expired.
// It tries the exact key first (one map access, no allocation); on a miss
// it falls back to the tokens of the same account, environment, realm and
// client whose granted scopes include every requested scope (a
// "<resource>/.default" request matches a token for that resource),
// found through an index by scope and resource, so a miss costs the same
// however many tokens the account has. An expired token is never
// returned; changes evict it. It takes no lock.
func (c *Cache) AccessToken(k AccessTokenKey) (AccessToken, bool) {
	return c.AccessTokenAt(k, time.Now())
}

// AccessTokenAt is [Cache.AccessToken] with the caller's clock reading:
// a token is returned only if it expires after now. A caller that reads
// the clock anyway (to decide whether the token is due for refresh)
// saves a second time.Now, which dominates the cost of a hit on systems
// with a slow clock (about 170 ns here, against 10 ns for the map).
func (c *Cache) AccessTokenAt(k AccessTokenKey, now time.Time) (AccessToken, bool) {
	// Lock-free: the view is immutable, so the hit path writes no shared
	// memory and parallel readers scale with the cores.
	if t := c.view.Load().lookup(k, now); t != nil {
		return *t, true
	}
	return AccessToken{}, false
}

// Hit is an access token AccessTokenHit found, tied to the index it was
// read from, so that AccessTokenRecheck can confirm it without a lookup.
type Hit struct {
	v *view
	t *AccessToken
}

// AccessTokenHit is AccessTokenAt that also returns the Hit for a later
// AccessTokenRecheck.
func (c *Cache) AccessTokenHit(k AccessTokenKey, now time.Time) (Hit, bool) {
	v := c.view.Load()
	if t := v.lookup(k, now); t != nil {
		return Hit{v, t}, true
	}
	return Hit{}, false
}

// AccessTokenRecheck returns h's token when a lookup of h's key at now
// would still find it: the index has not changed since h was found (one
// pointer comparison; any write publishes a new index) and the token has
// not expired at now. Otherwise the caller looks the key up again.
func (c *Cache) AccessTokenRecheck(h *Hit, now time.Time) (AccessToken, bool) {
	if h.t == nil || c.view.Load() != h.v || !h.t.ExpiresOn.After(now) {
		return AccessToken{}, false
	}
	return *h.t, true
}

// HitCurrent reports whether h would still be found by a lookup of its
// key, expiry aside: the index has not changed since h was found (one
// pointer comparison; any write publishes a new index). A caller that
// copied what it needs of h's token at the hit checks the expiry itself.
func (c *Cache) HitCurrent(h *Hit) bool {
	return h.t != nil && c.view.Load() == h.v
}

// IDToken returns the ID token stored for an account, environment, realm
// and client.
func (c *Cache) IDToken(homeAccountID, environment, realm, clientID string) (IDToken, bool) {
	k := idKey{strings.ToLower(homeAccountID), CanonicalEnvironment(environment), strings.ToLower(realm), strings.ToLower(clientID)}
	c.mu.RLock()
	t := c.s.idIdx[k]
	var out IDToken
	if t != nil {
		out = *t
	}
	c.mu.RUnlock()
	return out, t != nil
}

// AppMetadata returns what the cache knows of a client: notably its
// FamilyID, which says to look for a family refresh token first.
func (c *Cache) AppMetadata(environment, clientID string) (AppMetadata, bool) {
	c.mu.RLock()
	m := c.s.appIdx[appKey{CanonicalEnvironment(environment), strings.ToLower(clientID)}]
	var out AppMetadata
	if m != nil {
		out = *m
	}
	c.mu.RUnlock()
	return out, m != nil
}

// Accounts lists the accounts that can sign in to clientID silently: those
// with a refresh token or ID token of that client, or a family refresh
// token when the client's app metadata names that family. environment ""
// means every environment; clientID "" means every account. The list is
// sorted by username, then home account ID; an account stored for several
// realms is listed once per realm.
func (c *Cache) Accounts(environment, clientID string) []Account {
	env := CanonicalEnvironment(environment)
	client := strings.ToLower(clientID)
	c.mu.RLock()
	var out []Account
	for _, a := range c.s.acct {
		k := a.indexKey()
		if env != "" && k.env != env {
			continue
		}
		if client == "" || c.s.accountUsable(k, client) {
			out = append(out, *a)
		}
	}
	c.mu.RUnlock()
	sort.Sort(byUser(out))
	return out
}

func (s *store) accountUsable(k accountKey, client string) bool {
	if len(s.rtIdx[RefreshTokenKey{HomeAccountID: k.home, Environment: k.env, ClientID: client}]) > 0 {
		return true
	}
	if s.idIdx[idKey{k.home, k.env, k.realm, client}] != nil {
		return true
	}
	if m := s.appIdx[appKey{k.env, client}]; m != nil && m.FamilyID != "" {
		return len(s.rtIdx[RefreshTokenKey{HomeAccountID: k.home, Environment: k.env, FamilyID: strings.ToLower(m.FamilyID)}]) > 0
	}
	return false
}

// Account returns an account by home account ID: the entry for the
// account's home tenant (the "utid" half of the ID) when there is one,
// else the entry with the smallest realm.
func (c *Cache) Account(homeAccountID, environment string) (Account, bool) {
	home := strings.ToLower(homeAccountID)
	env := CanonicalEnvironment(environment)
	_, utid, _ := strings.Cut(home, ".")
	c.mu.RLock()
	defer c.mu.RUnlock()
	if a := c.s.acctIdx[accountKey{home, env, utid}]; a != nil {
		return *a, true
	}
	var best *Account
	for _, a := range c.s.acct {
		k := a.indexKey()
		if k.home == home && k.env == env && (best == nil || k.realm < strings.ToLower(best.Realm)) {
			best = a
		}
	}
	if best == nil {
		return Account{}, false
	}
	return *best, true
}

// Len reports how many entries of each kind the cache holds in memory.
func (c *Cache) Len() Counts {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return Counts{len(c.s.at), len(c.s.rt), len(c.s.id), len(c.s.acct), len(c.s.app)}
}

// Counts are the sizes of a cache's sections.
type Counts struct {
	AccessTokens, RefreshTokens, IDTokens, Accounts, AppMetadata int
}

// byUser orders accounts by username (case-insensitively), then home
// account ID and realm. It is a sort.Interface rather than a
// slices.SortFunc so that the sort's code is shared, not instantiated for
// Account's shape (about 17 KB of every binary).
type byUser []Account

func (a byUser) Len() int      { return len(a) }
func (a byUser) Swap(i, j int) { a[i], a[j] = a[j], a[i] }
func (a byUser) Less(i, j int) bool {
	x, y := &a[i], &a[j]
	if n := strings.Compare(strings.ToLower(x.Username), strings.ToLower(y.Username)); n != 0 {
		return n < 0
	}
	if n := strings.Compare(x.HomeAccountID, y.HomeAccountID); n != 0 {
		return n < 0
	}
	return x.Realm < y.Realm
}
