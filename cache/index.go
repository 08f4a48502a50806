package cache

import (
	"encoding/json"
	"maps"
	"strings"
	"time"
)

// store holds the entries of one cache document by their schema key, and
// the indexes that make every lookup a map access. Callers hold Cache.mu;
// lookups of access tokens read the published view instead.
type store struct {
	at       map[string]*AccessToken
	rt       map[string]*RefreshToken
	id       map[string]*IDToken
	acct     map[string]*Account
	app      map[string]*AppMetadata
	sections map[string]json.RawMessage            // unknown top-level sections
	bad      map[string]map[string]json.RawMessage // section -> key -> entry kept verbatim
	skipped  []string                              // why each bad entry was skipped
	sizeHint int                                   // size of the document it was read from

	atIdx    map[AccessTokenKey]*AccessToken
	atBucket map[bucketKey][]*AccessToken
	parts    map[bucketKey]*partition // immutable; rebuilt for dirty buckets by publish
	dirty    map[bucketKey]struct{}
	rtIdx    map[RefreshTokenKey][]*RefreshToken // client and family keys; newest first
	families map[string]struct{}                 // family IDs of the refresh tokens
	idIdx    map[idKey]*IDToken
	acctIdx  map[accountKey]*Account
	appIdx   map[appKey]*AppMetadata
}

func newStore() *store {
	return &store{
		at:       map[string]*AccessToken{},
		rt:       map[string]*RefreshToken{},
		id:       map[string]*IDToken{},
		acct:     map[string]*Account{},
		app:      map[string]*AppMetadata{},
		sections: map[string]json.RawMessage{},
		bad:      map[string]map[string]json.RawMessage{},
		atIdx:    map[AccessTokenKey]*AccessToken{},
		atBucket: map[bucketKey][]*AccessToken{},
		parts:    map[bucketKey]*partition{},
		dirty:    map[bucketKey]struct{}{},
		rtIdx:    map[RefreshTokenKey][]*RefreshToken{},
		families: map[string]struct{}{},
		idIdx:    map[idKey]*IDToken{},
		acctIdx:  map[accountKey]*Account{},
		appIdx:   map[appKey]*AppMetadata{},
	}
}

// preferred decides which of two entries with the same identity the index
// points at: one stored under this package's own key form, else one with
// a lower-cased (schema v1.1+) key over a legacy v1.0 key with capitals,
// else the smaller key, so the choice does not depend on map order.
func preferred(newKey, newOwn, oldKey string, oldOwn bool) bool {
	rank := func(key string, own bool) int {
		r := 0
		if own {
			r += 2
		}
		if key == strings.ToLower(key) {
			r++
		}
		return r
	}
	if a, b := rank(newKey, newKey == newOwn), rank(oldKey, oldOwn); a != b {
		return a > b
	}
	return newKey < oldKey
}

// keepUnknown gives an entry that replaces old the fields of old this
// package does not understand (another library's, such as MSAL Node's
// tenantProfiles on accounts), unless the new entry sets them itself.
func keepUnknown(extra, old map[string]json.RawMessage) map[string]json.RawMessage {
	if len(old) == 0 {
		return extra
	}
	out := maps.Clone(old)
	maps.Copy(out, extra)
	return out
}

// addAT indexes t, which is stored under t.key. When replace is set,
// other entries with the same identity are deleted (a fresh token from the
// engine supersedes them) and t keeps their unknown fields; when loading,
// duplicates are kept and the index prefers one of them.
func (s *store) addAT(t *AccessToken, replace bool) {
	k := t.indexKey()
	if old := s.atIdx[k]; old != nil && old.key != t.key {
		if replace {
			t.extra = keepUnknown(t.extra, old.extra)
			s.removeAT(old)
		} else if old.ExpiresOn.After(t.ExpiresOn) || (old.ExpiresOn.Equal(t.ExpiresOn) && !preferred(t.key, t.storeKey(), old.key, old.key == old.storeKey())) {
			s.at[t.key] = t // keep it stored, index the longer-lived one
			return
		}
	}
	if old := s.at[t.key]; old != nil {
		if replace {
			t.extra = keepUnknown(t.extra, old.extra)
		}
		s.removeAT(old)
	}
	s.at[t.key] = t
	s.atIdx[k] = t
	b := k.bucket()
	s.atBucket[b] = append(s.atBucket[b], t)
	s.dirty[b] = struct{}{}
}

func (s *store) removeAT(t *AccessToken) {
	if s.at[t.key] == t {
		delete(s.at, t.key)
	}
	k := t.indexKey()
	if s.atIdx[k] == t {
		delete(s.atIdx, k)
	}
	b := k.bucket()
	s.dirty[b] = struct{}{}
	list := s.atBucket[b]
	for i, x := range list {
		if x == t {
			// A new slice: a published partition may share the old one.
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.atBucket, b)
	} else {
		s.atBucket[b] = list
	}
}

func (s *store) addID(t *IDToken, replace bool) {
	k := t.indexKey()
	if old := s.idIdx[k]; old != nil && old.key != t.key {
		if replace {
			t.extra = keepUnknown(t.extra, old.extra)
			delete(s.id, old.key)
		} else if !preferred(t.key, t.storeKey(), old.key, old.key == old.storeKey()) {
			s.id[t.key] = t
			return
		}
	}
	if old := s.id[t.key]; old != nil && replace {
		t.extra = keepUnknown(t.extra, old.extra)
	}
	s.id[t.key] = t
	s.idIdx[k] = t
}

func (s *store) addAccount(a *Account, replace bool) {
	k := a.indexKey()
	if old := s.acctIdx[k]; old != nil && old.key != a.key {
		if replace {
			a.extra = keepUnknown(a.extra, old.extra)
			delete(s.acct, old.key)
		} else if !preferred(a.key, a.storeKey(), old.key, old.key == old.storeKey()) {
			s.acct[a.key] = a
			return
		}
	}
	if old := s.acct[a.key]; old != nil && replace {
		a.extra = keepUnknown(a.extra, old.extra)
	}
	s.acct[a.key] = a
	s.acctIdx[k] = a
}

func (s *store) addApp(m *AppMetadata, replace bool) {
	k := m.indexKey()
	if old := s.appIdx[k]; old != nil && old.key != m.key {
		if replace {
			m.extra = keepUnknown(m.extra, old.extra)
			delete(s.app, old.key)
		} else if !preferred(m.key, m.storeKey(), old.key, old.key == old.storeKey()) {
			s.app[m.key] = m
			return
		}
	}
	if old := s.app[m.key]; old != nil && replace {
		m.extra = keepUnknown(m.extra, old.extra)
	}
	s.app[m.key] = m
	s.appIdx[k] = m
}

// sweep deletes the access tokens that expired at or before now.
func (s *store) sweep(now time.Time) int {
	n := 0
	for _, t := range s.at {
		if !t.ExpiresOn.After(now) {
			s.removeAT(t)
			n++
		}
	}
	return n
}
