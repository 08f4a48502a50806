package cache_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
)

const testJWKS = `{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"}]}`

// The stored key set is found only for its own authority and jwks_uri,
// only under a day old, and never from an unsafe, oversized or corrupt
// file; a store of another authority keeps the first.
func TestStoredKeySet(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	const auth, url = "https://login.microsoftonline.com/t1", "https://login.microsoftonline.com/t1/discovery/v2.0/keys"
	for _, tc := range []struct {
		name      string
		auth, url string
		at        time.Time
		spoil     func(t *testing.T, path string)
		want      bool
	}{
		{"same authority, fresh", auth, url, now, nil, true},
		{"23h59 old", auth, url, now.Add(cache.KeySetMaxAge - time.Minute), nil, true},
		{"24h old", auth, url, now.Add(cache.KeySetMaxAge), nil, false},
		{"fetched in the future", auth, url, now.Add(-time.Minute), nil, false},
		{"another authority", "https://login.microsoftonline.com/t2", url, now, nil, false},
		{"another jwks_uri", auth, url + "2", now, nil, false},
		{"corrupt", auth, url, now, func(t *testing.T, p string) { write(t, p, []byte("{\"version\":1,\"key_sets\":["), 0o600) }, false},
		{"empty (written without fsync, then a crash)", auth, url, now, func(t *testing.T, p string) { write(t, p, nil, 0o600) }, false},
		{"wrong version", auth, url, now, func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			write(t, p, bytes.Replace(b, []byte(`"version":1`), []byte(`"version":2`), 1), 0o600)
		}, false},
		{"too large", auth, url, now, func(t *testing.T, p string) { write(t, p, bytes.Repeat([]byte(" "), 1<<20+1), 0o600) }, false},
		{"group-readable", auth, url, now, func(t *testing.T, p string) { chmod(t, p, 0o644) }, false},
		{"symbolic link", auth, url, now, func(t *testing.T, p string) {
			os.Rename(p, p+".real")
			if err := os.Symlink(p+".real", p); err != nil {
				t.Skip(err)
			}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := cache.NewPlaintextFile(filepath.Join(t.TempDir(), "cache.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			c := cache.New(st, nil)
			if err := c.StoreKeySet(ctx, cache.KeySet{Authority: auth, URL: url, FetchedAt: now, Keys: json.RawMessage(testJWKS)}); err != nil {
				t.Fatal(err)
			}
			path := st.Path() + ".keys.json"
			if fi, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
				t.Fatalf("key-set file: %v, %v; want mode 0600", fi, err)
			}
			if tc.spoil != nil {
				if runtime.GOOS == "windows" && tc.name != "corrupt" && tc.name != "too large" {
					t.Skip("Unix file modes and symlinks")
				}
				tc.spoil(t, path)
			}
			got, ok := cache.New(st, nil).StoredKeySet(ctx, tc.auth, tc.url, tc.at)
			if ok != tc.want {
				t.Fatalf("found %v, want %v", ok, tc.want)
			}
			if ok && (string(got.Keys) != testJWKS || !got.FetchedAt.Equal(now)) {
				t.Errorf("got %s fetched %v", got.Keys, got.FetchedAt)
			}
		})
	}
}

// Key sets of several authorities are kept side by side; a store for one
// replaces only its own.
func TestStoreKeySetKeepsOthers(t *testing.T) {
	ctx := context.Background()
	st, err := cache.NewPlaintextFile(filepath.Join(t.TempDir(), "cache.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := cache.New(st, nil)
	now := time.Unix(1_800_000_000, 0)
	for _, a := range []string{"a", "b", "a"} {
		if err := c.StoreKeySet(ctx, cache.KeySet{Authority: a, URL: a + "/keys", FetchedAt: now, Keys: json.RawMessage(testJWKS)}); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := st.ReadKeySets(ctx)
	sets, err := cache.ParseKeySets(data)
	if err != nil || len(sets) != 2 {
		t.Fatalf("%d sets, %v; want 2", len(sets), err)
	}
	// A storage without a key-set file keeps nothing and finds nothing.
	mem := cache.New(nil, nil)
	if err := mem.StoreKeySet(ctx, cache.KeySet{Authority: "a", URL: "a/keys", FetchedAt: now, Keys: json.RawMessage(testJWKS)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := mem.StoredKeySet(ctx, "a", "a/keys", now); ok {
		t.Error("a memory cache found a key set")
	}
}

func FuzzParseKeySets(f *testing.F) {
	f.Add([]byte(`{"version":1,"key_sets":[{"authority":"a","jwks_uri":"u","fetched_at":1,"keys":` + testJWKS + `}]}`))
	f.Add([]byte(`{"version":1,"key_sets":[{"fetched_at":-1}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"version":1,"key_sets":[],"tenants":[{"authority":"a","tenant_id":"t","resolved_at":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sets, err := cache.ParseKeySets(data)
		if err != nil {
			if !errors.Is(err, cache.ErrCorrupt) {
				t.Fatalf("error %v does not match ErrCorrupt", err)
			}
			return
		}
		for _, s := range sets {
			if s.Authority == "" || s.URL == "" || len(s.Keys) == 0 || s.FetchedAt.Unix() <= 0 {
				t.Fatalf("incomplete set returned: %+v", s)
			}
		}
	})
}

func write(t *testing.T, path string, b []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// A domain tenant's stored ID is found only for its own authority, only
// under a day old, and storing it keeps the key sets (and a key set
// stored after it keeps it).
func TestStoredTenantID(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	const auth, id = "https://login.microsoftonline.com/contoso.com", "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
	for _, tc := range []struct {
		name string
		auth string
		at   time.Time
		want bool
	}{
		{"same authority, fresh", auth, now, true},
		{"23h59 old", auth, now.Add(cache.KeySetMaxAge - time.Minute), true},
		{"24h old", auth, now.Add(cache.KeySetMaxAge), false},
		{"resolved in the future", auth, now.Add(-time.Minute), false},
		{"another authority", "https://login.microsoftonline.com/fabrikam.com", now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := cache.NewPlaintextFile(filepath.Join(t.TempDir(), "cache.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			c := cache.New(st, nil)
			if err := c.StoreKeySet(ctx, cache.KeySet{Authority: auth, URL: "u", FetchedAt: now, Keys: json.RawMessage(testJWKS)}); err != nil {
				t.Fatal(err)
			}
			if err := c.StoreTenantID(ctx, auth, id, now); err != nil {
				t.Fatal(err)
			}
			if err := c.StoreKeySet(ctx, cache.KeySet{Authority: "other", URL: "u2", FetchedAt: now, Keys: json.RawMessage(testJWKS)}); err != nil {
				t.Fatal(err)
			}
			got, ok := c.StoredTenantID(ctx, tc.auth, tc.at)
			if ok != tc.want || (tc.auth == auth) != (got == id) {
				t.Errorf("StoredTenantID = %q, %v; want fresh=%v, the ID for its own authority even when stale", got, ok, tc.want)
			}
			if _, ok := c.StoredKeySet(ctx, auth, "u", now); !ok {
				t.Error("storing a tenant ID lost the key set")
			}
		})
	}
}

// A tenant ID that is empty or not one path segment is refused, and a
// storage without a key-set file keeps none.
func TestStoreTenantIDRefuses(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	st, err := cache.NewPlaintextFile(filepath.Join(t.TempDir(), "cache.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := cache.New(st, nil)
	for _, id := range []string{"", "a/b", "a b"} {
		if err := c.StoreTenantID(ctx, "https://login.microsoftonline.com/contoso.com", id, now); err == nil {
			t.Errorf("tenant ID %q stored", id)
		}
	}
	mem := cache.New(nil, nil)
	if err := mem.StoreTenantID(ctx, "a", "b", now); err != nil {
		t.Fatal(err)
	}
	if _, ok := mem.StoredTenantID(ctx, "a", now); ok {
		t.Error("a memory cache found a tenant ID")
	}
}

// A key set and a tenant ID stored at the same time (the engine fetches
// both at once in a new process) are both kept: neither store writes
// back a document read before the other's.
func TestKeySetAndTenantIDStoredAtOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	for round := range 20 {
		st, err := cache.NewPlaintextFile(filepath.Join(t.TempDir(), "cache.json"), nil)
		if err != nil {
			t.Fatal(err)
		}
		c := cache.New(st, nil)
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := c.StoreKeySet(ctx, cache.KeySet{Authority: "a", URL: "u", FetchedAt: now, Keys: json.RawMessage(testJWKS)}); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if err := c.StoreTenantID(ctx, "a", "t", now); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		_, keys := c.StoredKeySet(ctx, "a", "u", now)
		_, tenant := c.StoredTenantID(ctx, "a", now)
		if !keys || !tenant {
			t.Fatalf("round %d: key set kept %v, tenant ID kept %v", round, keys, tenant)
		}
	}
}
