package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func newFile(t *testing.T, opts *FileOptions) (*FileStorage, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "msal_token_cache.json")
	st, err := NewPlaintextFile(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return st, path
}

func TestFilePersistsAcrossCaches(t *testing.T) {
	st, path := newFile(t, nil)
	ctx := context.Background()
	a := New(st, nil)
	mustWrite(t, a, Update{
		AccessToken:  testAT("at", "User.Read", time.Hour),
		RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "rt"},
	})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode = %#o, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode = %#o, want 0700", di.Mode().Perm())
	}
	if _, err := os.Stat(path + ".lockfile"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left behind after the write: %v", err)
	}

	b := New(st, nil)
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false)
	if at, ok := b.AccessToken(k); !ok || at.Secret != "at" {
		t.Errorf("second cache: AccessToken = %q, %v; want at", at.Secret, ok)
	}
}

func TestFileMergesConcurrentCaches(t *testing.T) {
	st, _ := newFile(t, nil)
	ctx := context.Background()
	a, b := New(st, nil), New(st, nil)
	mustWrite(t, a, Update{AccessToken: testAT("a", "A", time.Hour)})
	mustWrite(t, b, Update{AccessToken: testAT("b", "B", time.Hour)}) // b never saw a's token
	mustWrite(t, a, Update{AccessToken: testAT("c", "C", time.Hour)})
	final := New(st, nil)
	if err := final.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"A", "B", "C"} {
		k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{s}, "", false)
		if _, ok := final.AccessToken(k); !ok {
			t.Errorf("token for scope %s lost", s)
		}
	}
	// a removes an account b knows nothing of; b's next write must not resurrect it.
	if err := a.RemoveAccount(ctx, testHome, testEnv, ""); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, b, Update{Account: &Account{HomeAccountID: "other.utid", Environment: testEnv, Realm: "utid"}})
	if err := final.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := final.Len(); n.AccessTokens != 0 || n.Accounts != 1 {
		t.Errorf("after remove + unrelated write: %+v, want 0 access tokens and 1 account", n)
	}
}

func TestSyncSkipsUnchangedFile(t *testing.T) {
	st, path := newFile(t, nil)
	c := New(st, nil)
	mustWrite(t, c, Update{AccessToken: testAT("a", "A", time.Hour)})
	// Replace the file behind the cache's back with one of the same
	// version is impossible; instead check that an unchanged file is not
	// re-read: make it unreadable garbage while keeping size and mtime.
	fi, _ := os.Stat(path)
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), len(data)), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, fi.ModTime(), fi.ModTime())
	if err := c.Sync(context.Background()); err != nil {
		t.Errorf("Sync of an unchanged version re-read the file: %v", err)
	}
	os.Chtimes(path, fi.ModTime(), fi.ModTime().Add(time.Second))
	if err := c.Sync(context.Background()); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Sync after a change = %v, want ErrCorrupt", err)
	}
}

func TestFileBadInput(t *testing.T) {
	valid, err := New(nil, nil).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content string
		want    error
	}{
		{"truncated", string(valid[:len(valid)/2]), ErrCorrupt},
		{"not json", "\x00\x01garbage", ErrCorrupt},
		{"array", "[]", ErrCorrupt},
		{"null", "null", ErrCorrupt},
		{"huge", `{"x":"` + strings.Repeat("a", 5000) + `"}`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, path := newFile(t, &FileOptions{MaxSize: 4096})
			os.MkdirAll(filepath.Dir(path), 0o700)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			c := New(st, nil)
			if err := c.Sync(context.Background()); !errors.Is(err, tt.want) {
				t.Fatalf("Sync = %v, want %v", err, tt.want)
			}
			var cerr *Error
			if !errors.As(c.Sync(context.Background()), &cerr) {
				t.Errorf("Sync error is not a *cache.Error")
			}
			if got, _ := os.ReadFile(path); string(got) != tt.content {
				t.Fatalf("Sync changed the file")
			}
			err := c.Write(context.Background(), Update{AccessToken: testAT("new", "A", time.Hour)})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Write = %v, want %v", err, tt.want)
			}
			if tt.want == ErrTooLarge {
				if got, _ := os.ReadFile(path); string(got) != tt.content {
					t.Fatalf("Write changed a file it could not read")
				}
				return
			}
			// Corrupt: moved aside intact, a new cache started.
			if !errors.As(err, &cerr) || !strings.HasPrefix(cerr.Path, path+".corrupt-") {
				t.Fatalf("Write error %v does not name the quarantined file", err)
			}
			if got, _ := os.ReadFile(cerr.Path); string(got) != tt.content {
				t.Errorf("quarantined file does not hold the original bytes")
			}
			fresh := New(st, nil)
			if err := fresh.Sync(context.Background()); err != nil || fresh.Len().AccessTokens != 1 {
				t.Errorf("new cache file: Sync = %v, %d access tokens; want nil, 1", err, fresh.Len().AccessTokens)
			}
		})
	}
}

func TestFileRefusesUnsafePaths(t *testing.T) {
	secret := []byte("do not touch")
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"symlink", func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "target")
			os.WriteFile(target, secret, 0o600)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}},
		{"dangling symlink", func(t *testing.T, path string) {
			os.Symlink(filepath.Join(t.TempDir(), "nothing"), path)
		}},
		{"directory", func(t *testing.T, path string) { os.Mkdir(path, 0o700) }},
		{"world readable", func(t *testing.T, path string) { os.WriteFile(path, secret, 0o644) }},
		{"group readable", func(t *testing.T, path string) { os.WriteFile(path, secret, 0o640) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, path := newFile(t, nil)
			os.MkdirAll(filepath.Dir(path), 0o700)
			tt.setup(t, path)
			before, _ := os.Lstat(path)
			c := New(st, nil)
			if err := c.Sync(context.Background()); !errors.Is(err, ErrUnsafeFile) {
				t.Errorf("Sync = %v, want ErrUnsafeFile", err)
			}
			if err := c.Write(context.Background(), Update{AccessToken: testAT("x", "A", time.Hour)}); !errors.Is(err, ErrUnsafeFile) {
				t.Errorf("Write = %v, want ErrUnsafeFile", err)
			}
			if err := st.Write(context.Background(), []byte("{}")); !errors.Is(err, ErrUnsafeFile) {
				t.Errorf("FileStorage.Write = %v, want ErrUnsafeFile", err)
			}
			after, err := os.Lstat(path)
			if err != nil || !os.SameFile(before, after) || before.Mode() != after.Mode() {
				t.Errorf("the path was replaced or changed")
			}
		})
	}
}

func TestLockTimeoutAndStaleLock(t *testing.T) {
	dead := exec.Command("true") // a process that has exited: its pid names no one
	must(t, dead.Run())
	synctest.Test(t, func(t *testing.T) {
		st, path := newFile(t, &FileOptions{LockTimeout: 3 * time.Second})
		ctx := context.Background()
		release, err := st.Lock(ctx) // a second open file description: flock conflicts as across processes
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = st.Lock(ctx)
		if !errors.Is(err, ErrLockTimeout) {
			t.Fatalf("Lock while held = %v, want ErrLockTimeout", err)
		}
		if waited := time.Since(start); waited < 3*time.Second || waited > 4*time.Second {
			t.Errorf("waited %v, want about the 3s bound", waited)
		}
		c := New(st, nil)
		if err := c.Write(ctx, Update{AccessToken: testAT("x", "A", time.Hour)}); !errors.Is(err, ErrLockTimeout) {
			t.Errorf("Write while locked = %v, want ErrLockTimeout", err)
		}
		if _, ok := c.AccessToken(NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"A"}, "", false)); !ok {
			t.Errorf("token not kept in memory when persisting failed")
		}
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := st.Lock(cctx); !errors.Is(err, ErrLockTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Lock with a 1s context = %v, want ErrLockTimeout wrapping the deadline", err)
		}
		if err := release(); err != nil {
			t.Fatal(err)
		}
		// A lock file left by a dead process (nobody holds the flock) is taken over.
		stale := fmt.Sprintf("%d dead-process", dead.ProcessState.Pid())
		if err := os.WriteFile(path+".lockfile", []byte(stale), 0o600); err != nil {
			t.Fatal(err)
		}
		must(t, os.Chtimes(path+".lockfile", time.Now(), time.Now())) // fresh by the bubble's clock too
		release, err = st.Lock(ctx)
		if err != nil {
			t.Fatalf("Lock over a stale lock file = %v", err)
		}
		if got, _ := os.ReadFile(path + ".lockfile"); !strings.HasPrefix(string(got), strconv.Itoa(os.Getpid())+" ") {
			t.Errorf("lock file content = %q, want our pid and name", got)
		}
		release()
	})
}

func TestFileWriteIsAtomic(t *testing.T) {
	st, path := newFile(t, nil)
	c := New(st, nil)
	mustWrite(t, c, Update{AccessToken: testAT("a", "A", time.Hour)})
	// No temp files are left behind and the file is always complete JSON.
	for i := range 20 {
		mustWrite(t, c, Update{AccessToken: testAT("a", string(rune('B'+i)), time.Hour)})
		data, err := os.ReadFile(path)
		if err != nil || !json.Valid(data) {
			t.Fatalf("write %d left invalid JSON: %v", i, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the cache file", names)
	}
}

func TestUnmarshalJSONDoesNotPersist(t *testing.T) {
	st, _ := newFile(t, nil)
	c := New(st, nil)
	mustWrite(t, c, Update{AccessToken: testAT("a", "A", time.Hour)})
	other := New(nil, nil)
	mustWrite(t, other, Update{AccessToken: testAT("b", "B", time.Hour)})
	doc, _ := other.MarshalJSON()
	if err := c.UnmarshalJSON(doc); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, c, Update{AccessToken: testAT("c", "C", time.Hour)})
	fresh := New(st, nil)
	if err := fresh.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	for scope, want := range map[string]bool{"A": true, "B": false, "C": true} {
		_, ok := fresh.AccessToken(NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{scope}, "", false))
		if ok != want {
			t.Errorf("token %s persisted = %v, want %v", scope, ok, want)
		}
	}
}
