package cache_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// xorSealer is a Sealer for tests: a one-byte XOR behind a prefix; err,
// when set, is what Open returns.
type xorSealer struct{ err error }

var sealPrefix = []byte("xor:")

func (x xorSealer) Seal(plain []byte) ([]byte, error) {
	out := append([]byte{}, sealPrefix...)
	for _, b := range plain {
		out = append(out, b^0x5a)
	}
	return out, nil
}

func (x xorSealer) Open(sealed []byte) ([]byte, error) {
	if x.err != nil {
		return nil, x.err
	}
	rest, ok := bytes.CutPrefix(sealed, sealPrefix)
	if !ok {
		return nil, errors.New("not sealed")
	}
	out := make([]byte, len(rest))
	for i, b := range rest {
		out[i] = b ^ 0x5a
	}
	return out, nil
}

// A sealed file stores what the Sealer makes of the document and reads
// it back through Open; an Open failure is corruption unless the key is
// out of reach.
func TestSealedFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "msal.cache")
	st, err := cache.NewSealedFile(path, xorSealer{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := cache.NewPlaintextFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Sealed() || plain.Sealed() {
		t.Errorf("Sealed: sealed file %v, plaintext file %v", st.Sealed(), plain.Sealed())
	}
	doc := []byte(`{"AccessToken":{}}`)
	if err := st.Write(ctx, doc); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(raw, sealPrefix) || bytes.Contains(raw, doc) {
		t.Fatalf("file holds %q, %v; want the sealed document", raw, err)
	}
	if got, err := st.Read(ctx); err != nil || !bytes.Equal(got, doc) {
		t.Errorf("Read = %q, %v; want %q", got, err, doc)
	}
	for _, tc := range []struct {
		name      string
		openErr   error
		want      error
		isCorrupt bool
	}{
		{"key out of reach", cache.ErrKeyringLocked, cache.ErrKeyringLocked, false},
		{"keyring gone", cache.ErrKeyringUnavailable, cache.ErrKeyringUnavailable, false},
		{"wrong key", errors.New("authentication failed"), cache.ErrCorrupt, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := cache.NewSealedFile(path, xorSealer{err: tc.openErr}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Read(ctx)
			if !errors.Is(err, tc.want) || errors.Is(err, cache.ErrCorrupt) != tc.isCorrupt {
				t.Errorf("Read = %v; want %v, corrupt %v", err, tc.want, tc.isCorrupt)
			}
		})
	}
	if _, err := cache.NewSealedFile(path, nil, nil); err == nil {
		t.Error("a sealed file without a sealer was accepted")
	}
}

// A KeySetFile keeps the document in its own file, 0600, and reads
// nothing from a path that is not there.
func TestKeySetFile(t *testing.T) {
	ctx := context.Background()
	f := cache.KeySetFile(filepath.Join(t.TempDir(), "sub", "x.keys.json"))
	if data, err := f.ReadKeySets(ctx); data != nil || err != nil {
		t.Fatalf("ReadKeySets of no file = %q, %v; want nil, nil", data, err)
	}
	if err := f.WriteKeySets(ctx, []byte(`{"version":1}`)); err != nil {
		t.Fatal(err)
	}
	if data, err := f.ReadKeySets(ctx); err != nil || string(data) != `{"version":1}` {
		t.Errorf("ReadKeySets = %q, %v", data, err)
	}
	if fi, err := os.Stat(string(f)); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("key-set file: %v, %v; want mode 0600", fi, err)
	}
}

// LockFile excludes a second holder until the first releases, and times
// out with ErrLockTimeout.
func TestLockFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.lockfile")
	release, err := cache.LockFile(ctx, path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cache.LockFile(ctx, path, 50*time.Millisecond); !errors.Is(err, cache.ErrLockTimeout) {
		t.Errorf("second LockFile while held = %v; want ErrLockTimeout", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	release, err = cache.LockFile(ctx, path, time.Second)
	if err != nil {
		t.Fatalf("LockFile after release: %v", err)
	}
	release()
}
