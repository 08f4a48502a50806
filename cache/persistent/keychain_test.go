package persistent

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// memKeys is a keySource in memory; err, when set, is returned by both
// calls (a locked or absent keychain).
type memKeys struct {
	key    []byte
	err    error
	stores int
}

func (m *memKeys) loadKey() ([]byte, error) {
	if m.err != nil {
		return nil, m.err
	}
	if m.key == nil {
		return nil, errKeyNotFound
	}
	return m.key, nil
}

func (m *memKeys) storeKey(k []byte) error {
	if m.err != nil {
		return m.err
	}
	m.stores++
	m.key = bytes.Clone(k)
	return nil
}

// sealedFile is the storage NewKeychainFile builds, with the keychain
// replaced by ks: the file, lock and codec logic run here; only the
// security(1) calls are macOS's.
func sealedFile(t *testing.T, ks keySource) (*cache.FileStorage, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "msal.cache")
	st, err := cache.NewSealedFile(path, aesCodec{ks}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st, path
}

func TestEncryptedFileRoundTrip(t *testing.T) {
	ks := &memKeys{}
	st, path := sealedFile(t, ks)
	ctx := context.Background()
	mustWrite(t, cache.New(st, nil), cache.Update{AccessToken: testAT("very-secret-token", "User.Read", time.Hour)})
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("very-secret-token")) || !bytes.HasPrefix(raw, sealedMagic) {
		t.Fatalf("file is not sealed: %q", raw[:min(len(raw), 60)])
	}
	if ks.stores != 1 {
		t.Errorf("key stored %d times, want 1", ks.stores)
	}
	c := cache.New(st, nil)
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if at, ok := c.AccessToken(atKey("User.Read")); !ok || at.Secret != "very-secret-token" {
		t.Errorf("reloaded token = %q, %v", at.Secret, ok)
	}
	mustWrite(t, c, cache.Update{AccessToken: testAT("x", "Mail.Read", time.Hour)})
	if ks.stores != 1 {
		t.Errorf("a second write created another key (%d stores)", ks.stores)
	}
}

func TestEncryptedFileKeyTrouble(t *testing.T) {
	ctx := context.Background()
	t.Run("locked keychain is not corruption", func(t *testing.T) {
		ks := &memKeys{}
		st, path := sealedFile(t, ks)
		mustWrite(t, cache.New(st, nil), cache.Update{AccessToken: testAT("a", "A", time.Hour)})
		before, _ := os.ReadFile(path)
		ks.err = classifySecurityError(36, "User interaction is not allowed.")
		c := cache.New(st, nil)
		if err := c.Sync(ctx); !errors.Is(err, cache.ErrKeyringLocked) || errors.Is(err, cache.ErrCorrupt) {
			t.Errorf("Sync = %v, want cache.ErrKeyringLocked only", err)
		}
		if err := c.Write(ctx, cache.Update{AccessToken: testAT("b", "B", time.Hour)}); !errors.Is(err, cache.ErrKeyringLocked) {
			t.Errorf("Write = %v, want cache.ErrKeyringLocked", err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("the file changed while its key was out of reach")
		}
	})
	t.Run("lost key: file kept, new cache started", func(t *testing.T) {
		ks := &memKeys{}
		st, path := sealedFile(t, ks)
		mustWrite(t, cache.New(st, nil), cache.Update{AccessToken: testAT("a", "A", time.Hour)})
		before, _ := os.ReadFile(path)
		ks.key = nil // deleted from the keychain
		c := cache.New(st, nil)
		if err := c.Sync(ctx); !errors.Is(err, cache.ErrCorrupt) {
			t.Errorf("Sync = %v, want cache.ErrCorrupt", err)
		}
		if ks.stores != 1 {
			t.Errorf("a read created a key")
		}
		err := c.Write(ctx, cache.Update{AccessToken: testAT("b", "B", time.Hour)})
		var cerr *cache.Error
		if !errors.As(err, &cerr) || !errors.Is(err, cache.ErrCorrupt) {
			t.Fatalf("Write = %v, want cache.ErrCorrupt naming the moved file", err)
		}
		if kept, _ := os.ReadFile(cerr.Path); !bytes.Equal(kept, before) {
			t.Errorf("moved-aside file differs from the original")
		}
		if err := cache.New(st, nil).Sync(ctx); err != nil {
			t.Errorf("new file under the new key: %v", err)
		}
	})
	t.Run("tampered file", func(t *testing.T) {
		ks := &memKeys{}
		st, path := sealedFile(t, ks)
		mustWrite(t, cache.New(st, nil), cache.Update{AccessToken: testAT("a", "A", time.Hour)})
		raw, _ := os.ReadFile(path)
		raw[len(raw)-1] ^= 1
		os.WriteFile(path, raw, 0o600)
		if err := cache.New(st, nil).Sync(ctx); !errors.Is(err, cache.ErrCorrupt) {
			t.Errorf("Sync of a tampered file = %v, want cache.ErrCorrupt", err)
		}
	})
}

func TestSecurityCLIHelpers(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, 32)
	line := addKeyCommand("entraauth", "MSALCacheKey", key)
	if line != `add-generic-password -U -s "entraauth" -a "MSALCacheKey" -w "`+strings.Repeat("ab", 32)+"\"\n" || len(line) > 4096 {
		t.Errorf("addKeyCommand = %q", line)
	}
	if got, err := parseKey([]byte(strings.Repeat("ab", 32) + "\n")); err != nil || !bytes.Equal(got, key) {
		t.Errorf("parseKey = %x, %v", got, err)
	}
	if _, err := parseKey([]byte("not hex")); !errors.Is(err, cache.ErrCorrupt) {
		t.Errorf("parseKey(garbage) = %v, want cache.ErrCorrupt", err)
	}
	for _, tt := range []struct {
		code   int
		stderr string
		want   error
	}{
		{44, "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.", errKeyNotFound},
		{36, "security: SecKeychainItemCopyContent: User interaction is not allowed.", cache.ErrKeyringLocked},
		{1, "security: something else", cache.ErrKeyringUnavailable},
	} {
		if err := classifySecurityError(tt.code, tt.stderr); !errors.Is(err, tt.want) {
			t.Errorf("classifySecurityError(%d, %q) = %v, want %v", tt.code, tt.stderr, err, tt.want)
		}
	}
	if _, err := (&KeychainOptions{Service: `a"b`}).withDefaults(); err == nil {
		t.Errorf("a quote in the service name was accepted")
	}
	if o, _ := (*KeychainOptions)(nil).withDefaults(); o.Service != "entraauth" || o.Account != "MSALCacheKey" {
		t.Errorf("defaults = %+v", o)
	}
}
