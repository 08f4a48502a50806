//go:build unix

package cache

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// statOf is a FileInfo of a private regular file owned by uid.
type statOf struct {
	fs.FileInfo
	uid uint32
}

func (s statOf) Sys() any { return &syscall.Stat_t{Uid: s.uid} }

// A cache file owned by another user is refused like the lock file: the
// file check compares the owner with this process's effective user.
func TestCacheFileOwnerChecked(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.json")
	must(t, os.WriteFile(p, []byte("{}"), 0o600))
	fi, err := os.Lstat(p)
	must(t, err)
	for _, tc := range []struct {
		name string
		uid  uint32
		ok   bool
	}{
		{"own", uint32(os.Geteuid()), true},
		{"another user", uint32(os.Geteuid()) + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkSafe(statOf{fi, tc.uid})
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrUnsafeFile)) {
				t.Errorf("checkSafe = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// The same with a real file given to another user (as root only): Read
// refuses it and Write does not replace it.
func TestCacheFileOfAnotherUserRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	p := filepath.Join(t.TempDir(), "cache.json")
	must(t, os.WriteFile(p, []byte(`{"AccessToken":{}}`), 0o600))
	must(t, os.Chown(p, 65534, 65534))
	st, err := NewPlaintextFile(p, &FileOptions{LockTimeout: time.Second})
	must(t, err)
	if _, err := st.Read(context.Background()); !errors.Is(err, ErrUnsafeFile) {
		t.Errorf("Read = %v, want ErrUnsafeFile", err)
	}
	if err := st.Write(context.Background(), []byte("{}")); !errors.Is(err, ErrUnsafeFile) {
		t.Errorf("Write = %v, want ErrUnsafeFile", err)
	}
}
