package cache

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// view is the immutable access-token index that lookups read without a
// lock: writers (holding Cache.mu) build a new view after every change
// and publish it through Cache.view, an atomic.Pointer, so the warm hit
// path writes no shared memory (no reader count, no lock word). Nothing
// reachable from a published view is ever modified: entries are replaced,
// never changed in place, and partitions are rebuilt, never updated.
type view struct {
	at    map[AccessTokenKey]*AccessToken // by each token's own target
	alias map[AccessTokenKey]*AccessToken // by the scopes that were requested for it
	parts map[bucketKey]*partition        // for the lookups that fall back
}

var emptyView = &view{}

// lookup is the whole read path: the exact key, then the requested-scope
// alias, then the token's partition. No lock, no allocation.
func (v *view) lookup(k AccessTokenKey, now time.Time) *AccessToken {
	if t := v.at[k]; t != nil && t.ExpiresOn.After(now) {
		return t
	}
	if t := v.alias[k]; t != nil && t.ExpiresOn.After(now) {
		return t
	}
	if p := v.parts[k.bucket()]; p != nil {
		return p.find(k.Scopes, now)
	}
	return nil
}

// partition indexes the access tokens that differ only by scopes (one
// account, environment, realm, client, token type and CAE flag) by scope
// and by resource, so that a lookup that misses the exact key reads only
// the tokens that could answer it: the same cost at 1,000 tokens as at 1.
// A partition of at most smallPartition tokens is a plain list, read
// whole (a bounded cost, and far less memory than two maps per account).
type partition struct {
	small    []*AccessToken
	byScope  map[string][]*AccessToken // each scope of a token's target (lower-cased)
	byPrefix map[string][]*AccessToken // each resource prefix of a token's first scope
}

const smallPartition = 8

// find returns the longest-lived valid token whose target holds every
// scope of want (a ScopeKey). A lone "<resource>/.default" matches a
// token whose scopes all belong to that resource, as Entra grants them.
func (p *partition) find(want string, now time.Time) *AccessToken {
	if want == "" {
		return nil
	}
	res, isDefault := defaultOf(want)
	var best *AccessToken
	list := p.candidates(want)
	for _, t := range list {
		if !t.ExpiresOn.After(now) || (best != nil && !t.ExpiresOn.After(best.ExpiresOn)) {
			continue
		}
		if (isDefault && allOfResource(t.Target, res)) || (!isDefault && scopesCover(t.Target, want)) {
			best = t
		}
	}
	return best
}

// defaultOf reports whether want (a ScopeKey) is a lone
// "<resource>/.default", and its resource.
func defaultOf(want string) (string, bool) {
	res, ok := strings.CutSuffix(want, "/.default")
	return res, ok && !strings.Contains(want, " ")
}

// candidates are the tokens that may answer want: those holding its first
// scope, or for a ".default" those whose first scope is of its resource.
func (p *partition) candidates(want string) []*AccessToken {
	if p.small != nil {
		return p.small
	}
	if res, ok := defaultOf(want); ok {
		return p.byPrefix[res]
	}
	first, _, _ := strings.Cut(want, " ")
	return p.byScope[first]
}

func newPartition(tokens []*AccessToken) *partition {
	if len(tokens) <= smallPartition {
		return &partition{small: slices.Clone(tokens)}
	}
	p := &partition{byScope: map[string][]*AccessToken{}, byPrefix: map[string][]*AccessToken{}}
	for _, t := range tokens {
		first := ""
		for f := range strings.FieldsSeq(t.Target) {
			f = strings.ToLower(f)
			if slicesContainsFold(reservedScopes[:], f) {
				continue
			}
			if first == "" {
				first = f
			}
			if l := p.byScope[f]; len(l) == 0 || l[len(l)-1] != t {
				p.byScope[f] = append(l, t)
			}
		}
		for _, pre := range resourcePrefixes(first) {
			p.byPrefix[pre] = append(p.byPrefix[pre], t)
		}
	}
	return p
}

// resourcePrefixes lists the prefixes of scope that end before a '/'
// (the resources a ".default" request may name), leaving out the scheme
// ("https:" and "https:/").
func resourcePrefixes(scope string) []string {
	var out []string
	for i := 1; i < len(scope); i++ {
		if scope[i] != '/' {
			continue
		}
		if pre := scope[:i]; !strings.HasSuffix(pre, ":") && !strings.HasSuffix(pre, ":/") {
			out = append(out, pre)
		}
	}
	return out
}

// publish builds and installs a new view of c.s: the partitions of the
// buckets changed since the last publish are rebuilt, everything else is
// shared with the previous view. Callers hold c.mu.
func (c *Cache) publish() {
	s := c.s
	for b := range s.dirty {
		if list := s.atBucket[b]; len(list) > 0 {
			s.parts[b] = newPartition(list)
		} else {
			delete(s.parts, b)
		}
	}
	clear(s.dirty)
	v := &view{at: maps.Clone(s.atIdx), parts: maps.Clone(s.parts)}
	for req, k := range c.alias {
		if t := s.atIdx[k]; t != nil && v.at[req] == nil {
			if v.alias == nil {
				v.alias = map[AccessTokenKey]*AccessToken{}
			}
			v.alias[req] = t
		}
	}
	c.view.Store(v)
}

// scopesCover reports whether target (space-separated, any case) grants
// every scope of want (a ScopeKey).
func scopesCover(target, want string) bool {
	if want == "" {
		return false
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

// allOfResource reports whether every scope of list but the OIDC ones is
// "<res>/<something>", and there is at least one.
func allOfResource(list, res string) bool {
	found := false
	for list != "" {
		var x string
		x, list, _ = strings.Cut(list, " ")
		if x == "" || slicesContainsFold(reservedScopes[:], x) {
			continue
		}
		if len(x) <= len(res) || x[len(res)] != '/' || !strings.EqualFold(x[:len(res)], res) {
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
