package cache

import (
	"fmt"
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
// MarshalJSON). It does not touch the storage; the next Write persists the
// result merged with what the storage holds. On error the cache is
// unchanged and the error matches ErrCorrupt.
func (c *Cache) UnmarshalJSON(data []byte) error {
	s := newStore()
	if err := s.unmarshal(data); err != nil {
		return &Error{Op: "parse", Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.install(s)
	return nil
}
