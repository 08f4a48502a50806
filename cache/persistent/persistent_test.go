package persistent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
)

func TestOptionsResolve(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("LOCALAPPDATA", home)
	r, err := (*Options)(nil).resolve()
	must(t, err)
	if want := filepath.Join(home, ".IdentityService", "msal.cache"); r.path != want || r.AllowUnencryptedStorage {
		t.Errorf("defaults: path %s, allow %v; want %s, false", r.path, r.AllowUnencryptedStorage, want)
	}
	r, err = (&Options{Name: "myapp", Dir: "/d"}).resolve()
	must(t, err)
	if r.path != filepath.Join("/d", "myapp") {
		t.Errorf("named: %s", r.path)
	}
	for _, bad := range []string{".", "..", "a/b", `a\b`, "a\x00"} {
		if _, err := (&Options{Name: bad}).resolve(); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

// The plaintext fallback happens only when the caller allowed it, and
// only because the encrypted store is unavailable or locked; otherwise
// the error is typed and nothing is written.
func TestFallback(t *testing.T) {
	enc, err := cache.NewSealedFile(filepath.Join(t.TempDir(), "encrypted"), aesCodec{&memKeys{}}, nil)
	must(t, err)
	cases := []struct {
		name      string
		encErr    error
		allow     bool
		wantErr   error
		wantPlain bool
	}{
		{"encrypted store works", nil, false, nil, false},
		{"unavailable, not allowed", &cache.Error{Op: "read", Err: cache.ErrKeyringUnavailable}, false, cache.ErrEncryptionUnavailable, false},
		{"locked, not allowed", &cache.Error{Op: "read", Err: cache.ErrKeyringLocked}, false, cache.ErrKeyringLocked, false},
		{"unavailable, allowed", &cache.Error{Op: "read", Err: cache.ErrKeyringUnavailable}, true, nil, true},
		{"unsupported, allowed", &cache.Error{Op: "open", Err: cache.ErrUnsupported}, true, nil, true},
		{"other error, allowed", &cache.Error{Op: "read", Err: cache.ErrUnsafeFile}, true, cache.ErrUnsafeFile, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			r, err := (&Options{Dir: dir, AllowUnencryptedStorage: tc.allow}).resolve()
			must(t, err)
			st, err := choose(context.Background(), r, func(context.Context, resolved) (cache.Storage, error) {
				if tc.encErr != nil {
					return nil, tc.encErr
				}
				return enc, nil
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if tc.encErr != nil && !errors.Is(err, tc.encErr) {
					t.Errorf("err %v does not match the store's %v", err, tc.encErr)
				}
				if st != nil {
					t.Error("a storage came with the error")
				}
				if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
					t.Errorf("files created: %v", m)
				}
				return
			}
			if Encrypted(st) == tc.wantPlain {
				t.Errorf("Encrypted = %v", Encrypted(st))
			}
			if tc.wantPlain {
				fs, ok := st.(*cache.FileStorage)
				if !ok || fs.Path() != filepath.Join(dir, "msal.cache") {
					t.Fatalf("fallback = %T %v, want the plaintext file msal.cache", st, st)
				}
				c := cache.New(st, nil)
				mustWrite(t, c, cache.Update{AccessToken: testAT("x", "A", time.Hour)})
				fi, err := os.Stat(fs.Path())
				must(t, err)
				if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
					t.Errorf("fallback file mode %v", fi.Mode())
				}
			}
		})
	}
}
