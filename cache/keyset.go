package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// KeySetMaxAge is how long a stored key set is used before it is fetched
// again, whatever its keys.
const KeySetMaxAge = 24 * time.Hour

const (
	maxKeySetFile = 1 << 20 // read bound of the key-set file
	maxKeySets    = 8       // authorities kept; the oldest fetch goes first
	keySetVersion = 1
)

// KeySetStore is implemented by storages that keep authorities' public
// signing keys (JSON Web Key Sets, RFC 7517) next to the tokens, so a new
// process verifies ID tokens without fetching them again, and the IDs of
// tenants named by a domain ([Cache.StoredTenantID]). Both are public
// data: a plain file beside the cache, even when the tokens are
// encrypted or in a secret store. [FileStorage] keeps it in
// "<path>.keys.json", the Secret Service storage of package
// cache/persistent beside its lock file ("<lock path without
// .lockfile>.keys.json"), both through [KeySetFile]: mode 0600, replaced
// atomically, read with the same refusals as the cache file (ErrUnsafeFile
// for a symlink, a non-regular file, another user's file) and a size
// bound. The file is read and written without the cache lock: two
// processes racing lose at most one fetch, never a torn file.
type KeySetStore interface {
	// ReadKeySets returns the stored document, nil when there is none.
	ReadKeySets(ctx context.Context) ([]byte, error)
	// WriteKeySets replaces the stored document atomically.
	WriteKeySets(ctx context.Context, data []byte) error
}

// KeySet is one authority's key set as stored.
type KeySet struct {
	// Authority is the authority (issuer) the key set belongs to, as the
	// engine names it ("https://login.microsoftonline.com/<tenant>").
	Authority string `json:"authority"`
	// URL is the jwks_uri it was fetched from.
	URL string `json:"jwks_uri"`
	// FetchedAt is when it was fetched.
	FetchedAt time.Time `json:"-"`
	// Keys is the JWKS document as the authority served it.
	Keys json.RawMessage `json:"keys"`
}

type storedKeySet struct {
	KeySet
	Fetched int64 `json:"fetched_at"` // unix seconds
}

type keySetDoc struct {
	Version int            `json:"version"`
	Sets    []storedKeySet `json:"key_sets"`
	// Tenants are domain tenants' IDs (tenantid.go); a reader that knows
	// only key sets ignores them.
	Tenants []storedTenant `json:"tenants,omitempty"`
}

// parseKeySetDoc decodes the whole document.
func parseKeySetDoc(data []byte) (keySetDoc, error) {
	var d keySetDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return keySetDoc{}, fmt.Errorf("%w: key-set file: %v", ErrCorrupt, err)
	}
	if d.Version != keySetVersion {
		return keySetDoc{}, fmt.Errorf("%w: key-set file version %d", ErrCorrupt, d.Version)
	}
	return d, nil
}

// keySetWrite serializes the read-modify-write of key-set files within
// the process: a key set and a tenant ID are often fetched at once, and
// the second store must not write back a document read before the first.
// (Between processes the file is not locked: a race loses an entry, which
// is fetched again.)
var keySetWrite sync.Mutex

// readKeySetDoc reads the stored document; a missing, unsafe or corrupt
// file reads as an empty one.
func readKeySetDoc(ctx context.Context, ks KeySetStore) keySetDoc {
	data, err := ks.ReadKeySets(ctx)
	if err != nil || data == nil {
		return keySetDoc{Version: keySetVersion}
	}
	d, err := parseKeySetDoc(data)
	if err != nil {
		return keySetDoc{Version: keySetVersion}
	}
	return d
}

// writeKeySetDoc replaces the stored document with d.
func writeKeySetDoc(ctx context.Context, ks KeySetStore, d keySetDoc) error {
	d.Version = keySetVersion
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if len(data) > maxKeySetFile {
		return fmt.Errorf("cache: key set over %d bytes", maxKeySetFile)
	}
	return ks.WriteKeySets(ctx, data)
}

// ParseKeySets decodes a key-set document; an error for anything that is
// not one (the caller then fetches the keys again).
func ParseKeySets(data []byte) ([]KeySet, error) {
	d, err := parseKeySetDoc(data)
	if err != nil {
		return nil, err
	}
	out := make([]KeySet, 0, len(d.Sets))
	for _, s := range d.Sets {
		if s.URL == "" || s.Authority == "" || len(s.Keys) == 0 || s.Fetched <= 0 {
			continue
		}
		s.KeySet.FetchedAt = time.Unix(s.Fetched, 0)
		out = append(out, s.KeySet)
	}
	return out, nil
}

// KeepsKeySets reports whether the cache's storage keeps key sets (it
// implements [KeySetStore]).
func (c *Cache) KeepsKeySets() bool {
	_, ok := c.storage.(KeySetStore)
	return ok
}

// StoredKeySet returns the JWKS stored for exactly this authority and
// jwks_uri, when it was fetched at most [KeySetMaxAge] before now (and
// not after now). A storage that keeps no key set, a missing, unsafe or
// corrupt file, and a key set of another authority all return false.
func (c *Cache) StoredKeySet(ctx context.Context, authority, url string, now time.Time) (KeySet, bool) {
	ks, ok := c.storage.(KeySetStore)
	if !ok || authority == "" || url == "" {
		return KeySet{}, false
	}
	data, err := ks.ReadKeySets(ctx)
	if err != nil || data == nil {
		return KeySet{}, false
	}
	sets, err := ParseKeySets(data)
	if err != nil {
		return KeySet{}, false
	}
	for _, s := range sets {
		if s.Authority == authority && s.URL == url {
			age := now.Sub(s.FetchedAt)
			return s, age >= 0 && age < KeySetMaxAge
		}
	}
	return KeySet{}, false
}

// StoreKeySet stores k, replacing the key set stored for the same
// authority and jwks_uri; at most a few authorities are kept. It does
// nothing for a storage that keeps no key set.
func (c *Cache) StoreKeySet(ctx context.Context, k KeySet) error {
	ks, ok := c.storage.(KeySetStore)
	if !ok {
		return nil
	}
	if k.Authority == "" || k.URL == "" || len(k.Keys) == 0 {
		return errors.New("cache: key set without authority, jwks_uri or keys")
	}
	keySetWrite.Lock()
	defer keySetWrite.Unlock()
	d := readKeySetDoc(ctx, ks) // a corrupt file is replaced
	sets := []storedKeySet{{KeySet: k, Fetched: k.FetchedAt.Unix()}}
	for _, s := range d.Sets {
		complete := s.URL != "" && s.Authority != "" && len(s.Keys) > 0 && s.Fetched > 0
		if complete && len(sets) < maxKeySets && (s.Authority != k.Authority || s.URL != k.URL) {
			sets = append(sets, s)
		}
	}
	d.Sets = sets
	return writeKeySetDoc(ctx, ks, d)
}

var (
	_ KeySetStore = (*FileStorage)(nil)
	_ KeySetStore = KeySetFile("")
)

// ReadKeySets reads "<path>.keys.json".
func (s *FileStorage) ReadKeySets(ctx context.Context) ([]byte, error) {
	return KeySetFile(s.path + ".keys.json").ReadKeySets(ctx)
}

// WriteKeySets replaces "<path>.keys.json" (mode 0600) atomically.
func (s *FileStorage) WriteKeySets(ctx context.Context, data []byte) error {
	return KeySetFile(s.path+".keys.json").WriteKeySets(ctx, data)
}

// KeySetFile is a [KeySetStore] in the file it names, kept as
// [FileStorage] keeps "<path>.keys.json". A [Storage] that keeps the
// tokens elsewhere (a secret store, a vault) can keep the public key set
// in such a file beside its lock file by embedding one.
type KeySetFile string

// ReadKeySets reads the file; nil and no error when there is none.
func (f KeySetFile) ReadKeySets(ctx context.Context) ([]byte, error) {
	return readSafe(string(f), maxKeySetFile)
}

// WriteKeySets replaces the file (mode 0600) atomically.
func (f KeySetFile) WriteKeySets(ctx context.Context, data []byte) error {
	path := string(f)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return &Error{Op: "write", Path: path, Err: err}
	}
	if fi, err := os.Lstat(path); err == nil {
		if err := checkSafe(fi); err != nil {
			return &Error{Op: "write", Path: path, Err: err}
		}
	}
	// Not durable: a key set lost or torn by a crash is only fetched
	// again (a stored set that does not parse is not used).
	if err := writeAtomic(path, data, false); err != nil {
		return &Error{Op: "write", Path: path, Err: err}
	}
	return nil
}
