package cache

import (
	"context"
	"errors"
	"strings"
	"time"
)

// maxTenants bounds the domain tenants kept in the key-set file; the
// oldest resolution goes first.
const maxTenants = 16

// storedTenant is one domain tenant's ID as stored.
type storedTenant struct {
	Authority string `json:"authority"`
	TenantID  string `json:"tenant_id"`
	Resolved  int64  `json:"resolved_at"` // unix seconds
}

// StoredTenantID returns the tenant ID stored for authority, an authority
// that names its tenant by a domain ("https://login.microsoftonline.com/contoso.com"),
// when it was resolved at most [KeySetMaxAge] before now (and not after
// now). It lets a new process find the tokens MSAL Python and this
// module cache under the tenant ID without asking the authority first.
// An older entry's ID is returned too, with false: good enough to choose
// a cache key by (a token found under it is still checked for its
// account and client), not to check an ID token's tid by.
// Like the key set it is public data, kept in the key-set file of a
// [KeySetStore]; any other storage, a missing, unsafe or corrupt file and
// another authority's entry all return false.
func (c *Cache) StoredTenantID(ctx context.Context, authority string, now time.Time) (string, bool) {
	ks, ok := c.storage.(KeySetStore)
	if !ok || authority == "" {
		return "", false
	}
	for _, t := range readKeySetDoc(ctx, ks).Tenants {
		if t.Authority == authority && t.TenantID != "" {
			age := now.Sub(time.Unix(t.Resolved, 0))
			return t.TenantID, t.Resolved > 0 && age >= 0 && age < KeySetMaxAge
		}
	}
	return "", false
}

// StoreTenantID stores tenantID as authority's, resolved at at, keeping
// the key sets and the other authorities' entries (at most a few). It
// does nothing for a storage that keeps no key set.
func (c *Cache) StoreTenantID(ctx context.Context, authority, tenantID string, at time.Time) error {
	ks, ok := c.storage.(KeySetStore)
	if !ok {
		return nil
	}
	if authority == "" || tenantID == "" || strings.ContainsAny(tenantID, "/ ") || at.Unix() <= 0 {
		return errors.New("cache: tenant ID without authority, ID or time")
	}
	keySetWrite.Lock()
	defer keySetWrite.Unlock()
	d := readKeySetDoc(ctx, ks)
	tenants := []storedTenant{{Authority: authority, TenantID: tenantID, Resolved: at.Unix()}}
	for _, t := range d.Tenants {
		if len(tenants) < maxTenants && t.Authority != authority && t.Authority != "" && t.TenantID != "" {
			tenants = append(tenants, t)
		}
	}
	d.Tenants = tenants
	return writeKeySetDoc(ctx, ks, d)
}
