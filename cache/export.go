package cache

import (
	"context"
	"fmt"
	"time"
)

// MarshalJSON returns the in-memory cache as a unified-schema document,
// the same bytes a storage would receive. With MSAL Go this is what an
// ExportReplace implementation's Replace hands to Unmarshaler.
func (c *Cache) MarshalJSON() ([]byte, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.s.marshal()
}

// UnmarshalJSON replaces the in-memory cache with a unified-schema
// document (written by MSAL Go's Export, MSAL Python, Azure CLI, or
// MarshalJSON). It does not touch the storage, and with a storage the next
// Sync or change reloads from it, replacing what UnmarshalJSON loaded: use
// [Cache.Merge] to add a document to a persisted cache. On error the cache
// is unchanged and the error matches ErrCorrupt.
func (c *Cache) UnmarshalJSON(data []byte) error {
	s := newStore()
	if err := s.unmarshal(data); err != nil {
		return &Error{Op: "parse", Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.install(s)
	c.publish()
	c.loaded, c.version = false, "" // the storage, if any, is the truth again on the next read
	return nil
}

// Merge adds every entry of a unified-schema document to the cache and,
// with a storage, persists the result under the lock like [Cache.Write]:
// entries of data replace entries with the same identity, everything else
// stays, and unknown sections of data are added when the cache lacks
// them. Use it to import another application's cache file (Azure CLI's
// msal_token_cache.json) or, as an MSAL ExportReplace, MSAL's Export. A
// refresh token data brings that the cache did not hold counts as just
// written, so it comes first even without last_modification_time (MSAL
// Go writes none).
func (c *Cache) Merge(ctx context.Context, data []byte) error {
	in := newStore()
	if err := in.unmarshal(data); err != nil {
		return &Error{Op: "parse", Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	return c.modify(ctx, func(s *store) {
		for _, t := range in.at {
			s.addAT(t, true)
		}
		c.seq++
		for _, t := range in.rt {
			if old := s.rt[t.key]; old == nil || old.Secret != t.Secret {
				t.seen, t.observed = c.seq, time.Now() // just written by the other library
			}
			s.addRT(t, true)
		}
		for _, t := range in.id {
			addIndexed(s.id, s.idIdx, t, true)
		}
		for _, a := range in.acct {
			addIndexed(s.acct, s.acctIdx, a, true)
		}
		for _, m := range in.app {
			addIndexed(s.app, s.appIdx, m, true)
		}
		for k, v := range in.sections {
			if _, ok := s.sections[k]; !ok {
				s.sections[k] = v
			}
		}
	})
}
