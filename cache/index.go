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

// identified is an entry other than an access token: stored under its
// schema key in one map and indexed by its identity K in another.
type identified[K comparable] interface {
	comparable
	indexKey() K
	storeKey() string
	schemaKey() string                    // the key it is stored under
	unknown() *map[string]json.RawMessage // its unknown fields
}

func (t *IDToken) schemaKey() string                        { return t.key }
func (t *IDToken) unknown() *map[string]json.RawMessage     { return &t.extra }
func (a *Account) schemaKey() string                        { return a.key }
func (a *Account) unknown() *map[string]json.RawMessage     { return &a.extra }
func (m *AppMetadata) schemaKey() string                    { return m.key }
func (m *AppMetadata) unknown() *map[string]json.RawMessage { return &m.extra }

// addIndexed indexes e (an ID token, account or app metadata), which is
// stored under its schema key in byKey, in idx by its identity, with
// addAT's rules: when replace is set, another entry with the same
// identity is deleted and e keeps its unknown fields; when loading,
// duplicates are kept and the index prefers one of them.
func addIndexed[K comparable, E identified[K]](byKey map[string]E, idx map[K]E, e E, replace bool) {
	var none E
	k, key := e.indexKey(), e.schemaKey()
	if old := idx[k]; old != none && old.schemaKey() != key {
		if replace {
			*e.unknown() = keepUnknown(*e.unknown(), *old.unknown())
			delete(byKey, old.schemaKey())
		} else if !preferred(key, e.storeKey(), old.schemaKey(), old.schemaKey() == old.storeKey()) {
			byKey[key] = e
			return
		}
	}
	if old := byKey[key]; old != none && replace {
		*e.unknown() = keepUnknown(*e.unknown(), *old.unknown())
	}
	byKey[key] = e
	idx[k] = e
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
