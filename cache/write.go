package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Update is what one token response adds to the cache. Nil entries are
// skipped. Callers set the schema fields they know; Write copies the
// entries, derives their keys, defaults CachedAt to now and an account's
// AuthorityType to "MSSTS".
type Update struct {
	AccessToken  *AccessToken
	RefreshToken *RefreshToken
	IDToken      *IDToken
	Account      *Account
	AppMetadata  *AppMetadata

	// RequestedScopes are the scopes the caller asked for. When they
	// differ from AccessToken.Target (Entra grants
	// ".../user_impersonation" for ".../.default", or adds consented
	// scopes), the token is also found under a key built from them with
	// [NewAccessTokenKey], by an exact-key lookup.
	RequestedScopes []string
}

// Write stores u's entries, replacing the entries with the same identity
// (and keeping the fields of theirs this package does not understand). A
// refresh token is stored under MSAL .NET's key form, which MSAL Python
// also uses for a token without target, plus a family entry when it has
// a FamilyID; entries other writers keep under their own keys (MSAL
// Python's per-scope entries, MSAL Go's) are left alone, and
// [Cache.RefreshTokens] orders them all newest first. With a storage it persists them under
// the cross-process lock: lock, reload, apply, write, unlock. The entries
// are kept in memory even when persisting fails; the error says they were
// not persisted and matches [ErrNotPersisted]. An error matching
// ErrCorrupt but not ErrNotPersisted means the write succeeded after the
// previous unreadable document was moved aside (Error.Path says where)
// and a new one started.
func (c *Cache) Write(ctx context.Context, u Update) error {
	if u.AccessToken != nil && u.AccessToken.ExpiresOn.IsZero() {
		return &Error{Op: "write", Err: errors.New("access token has no expiry")}
	}
	u = u.copy()
	return c.modify(ctx, func(s *store) {
		if t := u.AccessToken; t != nil {
			s.addAT(t, true)
			if len(u.RequestedScopes) > 0 {
				req := NewAccessTokenKey(t.HomeAccountID, t.Environment, t.Realm, t.ClientID, u.RequestedScopes, t.TokenType, t.CAE)
				if k := t.indexKey(); req != k {
					c.alias[req] = k
				}
			}
		}
		if t := u.RefreshToken; t != nil {
			c.seq++
			t.seen = c.seq
			s.addRT(t, true)
			if t.FamilyID != "" {
				f := *t // the family entry, MSAL .NET's form, for the family's other clients
				f.key = rtFamilyKey(t.HomeAccountID, t.Environment, t.FamilyID)
				s.addRT(&f, true)
			}
		}
		if t := u.IDToken; t != nil {
			addIndexed(s.id, s.idIdx, t, true)
		}
		if a := u.Account; a != nil {
			addIndexed(s.acct, s.acctIdx, a, true)
		}
		if m := u.AppMetadata; m != nil {
			addIndexed(s.app, s.appIdx, m, true)
		}
	})
}

// copy gives the cache its own entries, keyed, so the caller's values can
// be reused and the cache's are never shared.
func (u Update) copy() Update {
	if u.AccessToken != nil {
		t := *u.AccessToken
		if t.CachedAt.IsZero() {
			t.CachedAt = time.Now()
		}
		t.key = t.storeKey()
		u.AccessToken = &t
	}
	if u.RefreshToken != nil {
		t := *u.RefreshToken
		if t.LastModified.IsZero() {
			t.LastModified = time.Now().Truncate(time.Second)
		}
		t.key = t.storeKey()
		u.RefreshToken = &t
	}
	if u.IDToken != nil {
		t := *u.IDToken
		t.key = t.storeKey()
		u.IDToken = &t
	}
	if u.Account != nil {
		a := *u.Account
		if a.AuthorityType == "" {
			a.AuthorityType = "MSSTS"
		}
		a.key = a.storeKey()
		u.Account = &a
	}
	if u.AppMetadata != nil {
		m := *u.AppMetadata
		m.key = m.storeKey()
		u.AppMetadata = &m
	}
	return u
}

// RemoveAccount deletes an account and its tokens in environment (and its
// aliases): access and ID tokens of clientID, the refresh token of
// clientID, the account's family refresh tokens, and the account entries
// themselves. clientID "" removes the tokens of every client.
func (c *Cache) RemoveAccount(ctx context.Context, homeAccountID, environment, clientID string) error {
	home, env, client := strings.ToLower(homeAccountID), CanonicalEnvironment(environment), strings.ToLower(clientID)
	account := func(h, e string) bool { return strings.EqualFold(h, home) && CanonicalEnvironment(e) == env }
	mine := func(h, e, cl string) bool { return account(h, e) && (client == "" || strings.EqualFold(cl, client)) }
	return c.modify(ctx, func(s *store) {
		for _, t := range s.at {
			if mine(t.HomeAccountID, t.Environment, t.ClientID) {
				s.removeAT(t)
			}
		}
		for _, t := range s.rt {
			if mine(t.HomeAccountID, t.Environment, t.ClientID) || (t.FamilyID != "" && account(t.HomeAccountID, t.Environment)) {
				s.removeRT(t)
			}
		}
		for k, t := range s.id {
			if mine(t.HomeAccountID, t.Environment, t.ClientID) {
				delete(s.id, k)
				delete(s.idIdx, t.indexKey())
			}
		}
		for k, a := range s.acct {
			if account(a.HomeAccountID, a.Environment) {
				delete(s.acct, k)
				delete(s.acctIdx, a.indexKey())
			}
		}
	})
}

// RemoveRefreshToken deletes a refresh token the authority refused
// (invalid_grant: revoked, expired, unused too long), so that it is not
// redeemed again on every call: the token k finds, and every other stored
// copy of the same secret for k's account and environment (a duplicate
// under a legacy key, the entry another client of the family wrote). With
// a storage it is removed under the cross-process lock, from the freshly
// reloaded document, and persisted.
//
// secret names the token that was refused: only entries holding it are
// removed, so a refresh token that another process stored meanwhile
// (Entra rotates them on redemption) survives. secret "" removes whatever
// k finds. Other entries (access and ID tokens, accounts, other refresh
// tokens) are kept. Removing a token that is not there is not an error.
func (c *Cache) RemoveRefreshToken(ctx context.Context, k RefreshTokenKey, secret string) error {
	home, env := k.HomeAccountID, CanonicalEnvironment(k.Environment)
	return c.modify(ctx, func(s *store) {
		dead := secret
		if dead == "" {
			list := s.rtIdx[k]
			if len(list) == 0 {
				return
			}
			dead = list[0].Secret
		}
		for _, t := range s.rt {
			if t.Secret == dead && strings.EqualFold(t.HomeAccountID, home) && CanonicalEnvironment(t.Environment) == env {
				s.removeRT(t)
			}
		}
	})
}

// Sync reloads the document from storage when another process changed it
// (or on the first call). It takes the cross-process lock so it never
// sees a half-written document from a writer that writes in place. A
// memory-only cache has nothing to sync.
func (c *Cache) Sync(ctx context.Context) error {
	if c.storage == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.unchangedLocked(ctx) {
		return nil
	}
	defer c.publish()
	release, err := c.storage.Lock(ctx)
	if err != nil {
		return err
	}
	defer release()
	s, err := c.readLocked(ctx, false)
	if s != nil {
		c.install(s)
	}
	return err
}

// modify applies f to the cache: in memory, and with a storage to the
// freshly reloaded document under the lock, then persists it.
func (c *Cache) modify(ctx context.Context, f func(*store)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.publish()
	if c.storage == nil {
		f(c.s)
		c.maybeSweep(false)
		return nil
	}
	release, err := c.storage.Lock(ctx)
	if err != nil {
		f(c.s)
		return notPersisted(err)
	}
	defer release()
	var loadErr error
	if !c.unchangedLocked(ctx) {
		var s *store
		s, loadErr = c.readLocked(ctx, true)
		if s == nil {
			f(c.s) // memory only: never overwrite what could not be read
			return notPersisted(loadErr)
		}
		c.install(s)
	}
	f(c.s)
	c.maybeSweep(true)
	if err := c.persistLocked(ctx); err != nil {
		return notPersisted(err)
	}
	return loadErr
}

// notPersistedError is a change applied in memory only: it matches
// ErrNotPersisted and the storage's own error.
type notPersistedError struct{ err error }

func notPersisted(err error) error { return &notPersistedError{err} }

func (e *notPersistedError) Error() string {
	return e.err.Error() + " (" + ErrNotPersisted.Error() + ")"
}

func (e *notPersistedError) Unwrap() []error { return []error{e.err, ErrNotPersisted} }

// unchangedLocked reports whether the storage still holds what this cache
// last read or wrote, so memory is current and the read can be skipped.
func (c *Cache) unchangedLocked(ctx context.Context) bool {
	v, ok := c.storage.(Versioner)
	if !ok || !c.loaded || c.version == "" {
		return false
	}
	cur, err := v.Version(ctx)
	return err == nil && cur == c.version
}

func (c *Cache) persistLocked(ctx context.Context) error {
	data, err := c.s.marshal()
	if err != nil {
		return &Error{Op: "write", Err: err}
	}
	if err := c.storage.Write(ctx, data); err != nil {
		return err
	}
	c.version = ""
	if v, ok := c.storage.(Versioner); ok {
		c.version, _ = v.Version(ctx)
	}
	return nil
}

// readLocked reads and parses the stored document. A nil store means the
// document could not be read and must not be overwritten. When forWrite
// is set a corrupt document is moved aside: then a non-nil, empty store
// comes with an error matching ErrCorrupt. Reads only report corruption.
func (c *Cache) readLocked(ctx context.Context, forWrite bool) (*store, error) {
	var ver string
	if v, ok := c.storage.(Versioner); ok {
		ver, _ = v.Version(ctx)
	}
	data, err := c.storage.Read(ctx)
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return nil, err
	}
	s := newStore()
	if err != nil || len(data) > 0 {
		perr := err // undecryptable or undecodable
		if perr == nil {
			perr = s.unmarshal(data)
		}
		if perr != nil {
			if !forWrite {
				return nil, &Error{Op: "parse", Err: fmt.Errorf("%w (left in place; the next change moves it aside): %v", ErrCorrupt, perr)}
			}
			return c.quarantine(ctx, perr)
		}
	}
	c.loaded, c.version = true, ver
	return s, nil
}

func (c *Cache) quarantine(ctx context.Context, perr error) (*store, error) {
	q, ok := c.storage.(Quarantiner)
	if !ok {
		return nil, &Error{Op: "parse", Err: fmt.Errorf("%w (left in place: this storage cannot move it aside): %v", ErrCorrupt, perr)}
	}
	where, err := q.Quarantine(ctx)
	if err != nil {
		return nil, &Error{Op: "quarantine", Err: fmt.Errorf("%w: %v; moving it aside failed: %w", ErrCorrupt, perr, err)}
	}
	c.log.Warn("cache: corrupt token cache moved aside; starting a new one", "moved_to", where, "error", perr.Error())
	c.loaded, c.version = true, ""
	return newStore(), &Error{Op: "parse", Path: where, Err: fmt.Errorf("%w (moved aside, new cache started): %v", ErrCorrupt, perr)}
}

// install replaces the in-memory document with s, keeping aliases and
// what this process knew of the refresh tokens' order. Callers publish.
func (c *Cache) install(s *store) {
	c.observeRT(s, !c.installed)
	c.s, c.installed = s, true
	c.maybeSweep(true)
	c.reportSkipped()
}

func (c *Cache) maybeSweep(force bool) {
	now := time.Now()
	if !force && now.Sub(c.lastSweep) < sweepEvery {
		return
	}
	c.lastSweep = now
	c.s.sweep(now)
	for req, k := range c.alias {
		if c.s.atIdx[k] == nil {
			delete(c.alias, req)
		}
	}
}

// reportSkipped logs, once per process for each, the entries of the
// stored document that could not be read (they are kept for the readers
// that understand them).
func (c *Cache) reportSkipped() {
	for _, why := range c.s.skipped {
		if c.reported[why] {
			continue
		}
		if c.reported == nil {
			c.reported = map[string]bool{}
		}
		c.reported[why] = true
		c.log.Warn("cache: skipped an entry this version cannot read; kept as it is for other readers", "entry", why)
	}
}
