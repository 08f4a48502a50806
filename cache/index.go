package cache

import (
	"encoding/json"
	"strings"
	"time"
)

// store holds the entries of one cache document by their schema key, and
// the indexes that make every lookup a map access. Callers hold Cache.mu.
type store struct {
	at       map[string]*AccessToken
	rt       map[string]*RefreshToken
	id       map[string]*IDToken
	acct     map[string]*Account
	app      map[string]*AppMetadata
	sections map[string]json.RawMessage // unknown top-level sections
	sizeHint int                        // size of the document it was read from

	atIdx    map[AccessTokenKey]*AccessToken
	atBucket map[bucketKey][]*AccessToken
	rtIdx    map[RefreshTokenKey]*RefreshToken // client keys and family keys
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
		atIdx:    map[AccessTokenKey]*AccessToken{},
		atBucket: map[bucketKey][]*AccessToken{},
		rtIdx:    map[RefreshTokenKey]*RefreshToken{},
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

// addAT indexes t, which is stored under t.key. When replace is set,
// other entries with the same identity are deleted (a fresh token from the
// engine supersedes them); when loading, duplicates are kept and the
// index prefers one of them.
func (s *store) addAT(t *AccessToken, replace bool) {
	k := t.indexKey()
	if old := s.atIdx[k]; old != nil && old.key != t.key {
		if replace {
			s.removeAT(old)
		} else if old.ExpiresOn.After(t.ExpiresOn) || (old.ExpiresOn.Equal(t.ExpiresOn) && !preferred(t.key, t.storeKey(), old.key, old.key == old.storeKey())) {
			s.at[t.key] = t // keep it stored, index the longer-lived one
			return
		}
	}
	if old := s.at[t.key]; old != nil {
		s.removeAT(old)
	}
	s.at[t.key] = t
	s.atIdx[k] = t
	b := k.bucket()
	s.atBucket[b] = append(s.atBucket[b], t)
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
	list := s.atBucket[b]
	for i, x := range list {
		if x == t {
			list[i] = list[len(list)-1]
			list[len(list)-1] = nil
			list = list[:len(list)-1]
			break
		}
	}
	if len(list) == 0 {
		delete(s.atBucket, b)
	} else {
		s.atBucket[b] = list
	}
}

func (s *store) addRT(t *RefreshToken, replace bool) {
	ck := t.clientKey()
	if old := s.rtIdx[ck]; old != nil && old.key != t.key {
		if replace {
			s.removeRT(old)
		} else if !preferred(t.key, t.storeKey(), old.key, old.key == old.storeKey()) {
			s.rt[t.key] = t
			return
		}
	}
	if old := s.rt[t.key]; old != nil {
		s.removeRT(old)
	}
	s.rt[t.key] = t
	s.rtIdx[ck] = t
	if fk, ok := t.familyKey(); ok {
		if old := s.rtIdx[fk]; old == nil || replace || preferred(t.key, t.storeKey(), old.key, old.key == old.storeKey()) {
			s.rtIdx[fk] = t
		}
	}
}

func (s *store) removeRT(t *RefreshToken) {
	if s.rt[t.key] == t {
		delete(s.rt, t.key)
	}
	if ck := t.clientKey(); s.rtIdx[ck] == t {
		delete(s.rtIdx, ck)
	}
	if fk, ok := t.familyKey(); ok && s.rtIdx[fk] == t {
		delete(s.rtIdx, fk)
		// Another client's family token can stand in.
		for _, o := range s.rt {
			if k, ok := o.familyKey(); ok && k == fk {
				s.rtIdx[fk] = o
				break
			}
		}
	}
}

func (s *store) addID(t *IDToken, replace bool) {
	k := t.indexKey()
	if old := s.idIdx[k]; old != nil && old.key != t.key {
		if replace {
			delete(s.id, old.key)
		} else if !preferred(t.key, t.storeKey(), old.key, old.key == old.storeKey()) {
			s.id[t.key] = t
			return
		}
	}
	s.id[t.key] = t
	s.idIdx[k] = t
}

func (s *store) addAccount(a *Account, replace bool) {
	k := a.indexKey()
	if old := s.acctIdx[k]; old != nil && old.key != a.key {
		if replace {
			delete(s.acct, old.key)
		} else if !preferred(a.key, a.storeKey(), old.key, old.key == old.storeKey()) {
			s.acct[a.key] = a
			return
		}
	}
	s.acct[a.key] = a
	s.acctIdx[k] = a
}

func (s *store) addApp(m *AppMetadata, replace bool) {
	k := m.indexKey()
	if old := s.appIdx[k]; old != nil && old.key != m.key {
		if replace {
			delete(s.app, old.key)
		} else if !preferred(m.key, m.storeKey(), old.key, old.key == old.storeKey()) {
			s.app[m.key] = m
			return
		}
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

// scan is the fallback lookup after an exact-key miss: among the tokens
// that differ from k only by scopes (a handful per account and client),
// the longest-lived valid one whose target holds every requested scope.
// A lone "<resource>/.default" request matches a token whose scopes all
// belong to that resource, as Entra grants them. It does not allocate.
func (s *store) scan(k AccessTokenKey, now time.Time) *AccessToken {
	var best *AccessToken
	for _, t := range s.atBucket[k.bucket()] {
		if !t.ExpiresOn.After(now) || (best != nil && !t.ExpiresOn.After(best.ExpiresOn)) {
			continue
		}
		if scopesCover(t.Target, k.Scopes) {
			best = t
		}
	}
	return best
}

// scopesCover reports whether target (space-separated, any case) grants
// every scope of want (a ScopeKey).
func scopesCover(target, want string) bool {
	if want == "" {
		return false
	}
	if res, ok := strings.CutSuffix(want, "/.default"); ok && !strings.Contains(want, " ") {
		return allHavePrefix(target, res+"/")
	}
	for want != "" {
		var w string
		w, want, _ = strings.Cut(want, " ")
		if !hasField(target, w) {
			return false
		}
	}
	return true
}

func hasField(list, f string) bool {
	for list != "" {
		var x string
		x, list, _ = strings.Cut(list, " ")
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

func allHavePrefix(list, prefix string) bool {
	found := false
	for list != "" {
		var x string
		x, list, _ = strings.Cut(list, " ")
		if x == "" || slicesContainsFold(reservedScopes[:], x) {
			continue
		}
		if len(x) < len(prefix) || !strings.EqualFold(x[:len(prefix)], prefix) {
			return false
		}
		found = true
	}
	return found
}

func slicesContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
