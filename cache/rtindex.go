package cache

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Refresh tokens are not unique per client: MSAL Python keeps one entry
// per scope set ("<home>-<env>-refreshtoken-<client>--<target>"), MSAL Go
// writes "<home>-<env>-refreshtoken-<client or family>", MSAL .NET
// "<home>-<env>-refreshtoken-<client or family>--", and a writer that
// rotates one leaves the others holding superseded tokens. The store
// therefore keeps every entry under its own key, never deletes another
// writer's, and orders an account's tokens newest first.

// rtClientKey and rtFamilyKey are the keys this package writes: MSAL
// .NET's form, which is also MSAL Python's for a token with no target, so
// both replace the entry in place when they update it.
func rtClientKey(home, env, client string) string {
	return strings.ToLower(home + "-" + env + "-refreshtoken-" + client + "--")
}

func rtFamilyKey(home, env, family string) string {
	return strings.ToLower(home + "-" + env + "-refreshtoken-" + family + "--")
}

// ownKey reports whether t is stored under one of this package's keys.
// It is called in sort comparisons, so it builds no string: it is
// t.key == rtClientKey(...) || t.key == rtFamilyKey(...), part by part.
func (t *RefreshToken) ownKey() bool {
	return isLowerKey(t.key, t.HomeAccountID, t.Environment, t.ClientID) ||
		(t.FamilyID != "" && isLowerKey(t.key, t.HomeAccountID, t.Environment, t.FamilyID))
}

// isLowerKey reports whether key == strings.ToLower(home + "-" + env +
// "-refreshtoken-" + id + "--"). ToLower maps rune by rune and the
// separators are ASCII, so the parts can be lowered one at a time.
func isLowerKey(key, home, env, id string) bool {
	for _, p := range [...]string{home, "-", env, "-refreshtoken-", id, "--"} {
		rest, ok := cutLowerPrefix(key, p)
		if !ok {
			return false
		}
		key = rest
	}
	return key == ""
}

// cutLowerPrefix reports whether key starts with strings.ToLower(p), and
// returns the rest; ASCII p is compared without building its lower form.
func cutLowerPrefix(key, p string) (string, bool) {
	for i := 0; i < len(p); i++ {
		if p[i] >= 0x80 {
			return strings.CutPrefix(key, strings.ToLower(p))
		}
	}
	if len(key) < len(p) {
		return key, false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if key[i] != c {
			return key, false
		}
	}
	return key[len(p):], true
}

// modTime is when the token was stored, as far as this process knows:
// its last_modification_time, else when this process first saw it appear
// in the storage (zero for what was there at the first load).
func (t *RefreshToken) modTime() time.Time {
	if t.LastModified.IsZero() {
		return t.observed
	}
	return t.LastModified
}

// newerRT orders refresh tokens newest first: by modTime, then the one
// this process stored or saw last, then by key (this package's own forms
// first), so the order never depends on map iteration.
func newerRT(a, b *RefreshToken) int {
	if c := b.modTime().Compare(a.modTime()); c != 0 {
		return c
	}
	if c := cmp.Compare(b.seen, a.seen); c != 0 {
		return c
	}
	if a.ownKey() != b.ownKey() {
		if a.ownKey() {
			return -1
		}
		return 1
	}
	if al, bl := a.key == strings.ToLower(a.key), b.key == strings.ToLower(b.key); al != bl {
		if al {
			return -1
		}
		return 1
	}
	return strings.Compare(a.key, b.key)
}

func (s *store) rtKeys(t *RefreshToken) []RefreshTokenKey {
	keys := []RefreshTokenKey{t.clientKey()}
	if fk, ok := t.familyKey(); ok {
		keys = append(keys, fk)
	}
	return keys
}

// addRT stores t under t.key. An entry already under that key is
// replaced (t keeps its unknown fields when replace is set); entries
// under other keys, another writer's, are kept.
func (s *store) addRT(t *RefreshToken, replace bool) {
	if old := s.rt[t.key]; old != nil {
		if replace {
			t.extra = keepUnknown(t.extra, old.extra)
		}
		s.removeRT(old)
	}
	s.rt[t.key] = t
	if t.FamilyID != "" {
		s.families[strings.ToLower(t.FamilyID)] = struct{}{}
	}
	for _, k := range s.rtKeys(t) {
		list := append(s.rtIdx[k], t)
		slices.SortStableFunc(list, newerRT)
		s.rtIdx[k] = list
	}
}

func (s *store) removeRT(t *RefreshToken) {
	if s.rt[t.key] == t {
		delete(s.rt, t.key)
	}
	for _, k := range s.rtKeys(t) {
		list := slices.DeleteFunc(s.rtIdx[k], func(x *RefreshToken) bool { return x == t })
		if len(list) == 0 {
			delete(s.rtIdx, k)
		} else {
			s.rtIdx[k] = list
		}
	}
}

// resortRT restores the newest-first order after seen or observed changed.
func (s *store) resortRT() {
	for _, list := range s.rtIdx {
		slices.SortStableFunc(list, newerRT)
	}
}

// RefreshTokens returns the refresh tokens that clientID may redeem for
// an account, newest first (by last_modification_time, else the one this
// process stored or saw appear last): the client's own, and the family
// tokens of the account (any client of a family may redeem its tokens;
// one outside the family is refused with client_mismatch). Each secret
// appears once, whatever number of entries hold it. Environment aliases
// match.
func (c *Cache) RefreshTokens(homeAccountID, environment, clientID string) []RefreshToken {
	own := NewRefreshTokenKey(homeAccountID, environment, clientID, "")
	c.mu.RLock()
	all := slices.Clone(c.s.rtIdx[own])
	for f := range c.s.families {
		all = append(all, c.s.rtIdx[RefreshTokenKey{HomeAccountID: own.HomeAccountID, Environment: own.Environment, FamilyID: f}]...)
	}
	slices.SortStableFunc(all, newerRT)
	out := make([]RefreshToken, 0, len(all))
	for i, t := range all {
		if !slices.ContainsFunc(all[:i], func(x *RefreshToken) bool { return x.Secret == t.Secret }) {
			out = append(out, *t)
		}
	}
	c.mu.RUnlock()
	return out
}

// RefreshToken returns the newest refresh token for k: the client's own
// when k.FamilyID is empty, else the newest of that family for the
// account. Environment aliases match (login.windows.net finds a token
// stored for login.microsoftonline.com). [Cache.RefreshTokens] lists the
// others, for when the authority refuses this one.
func (c *Cache) RefreshToken(k RefreshTokenKey) (RefreshToken, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if list := c.s.rtIdx[k]; len(list) > 0 {
		return *list[0], true
	}
	return RefreshToken{}, false
}

// observeRT carries what this process knew of each refresh token over to
// a freshly read store: an entry whose key and secret it had seen keeps
// its place in the order; one that appeared since the last read is marked
// seen now, so a token another writer rotated without writing
// last_modification_time (MSAL Go) still counts as the newest.
func (c *Cache) observeRT(s *store, first bool) {
	c.seq++
	now := time.Now()
	for k, t := range s.rt {
		if old := c.s.rt[k]; old != nil && old.Secret == t.Secret {
			t.seen, t.observed = old.seen, old.observed
			continue
		}
		t.seen = c.seq
		if !first {
			t.observed = now
		}
	}
	s.resortRT()
}
