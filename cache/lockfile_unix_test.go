//go:build unix

package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A lock file planted as a symbolic link, a hard link to another file, a
// FIFO, or a file of another user is refused with ErrUnsafeFile, and
// nothing is written through it: the file it points at keeps its bytes.
func TestLockFileRefusesPlantedFiles(t *testing.T) {
	const want = "the user's own file\n"
	cases := []struct {
		name  string
		plant func(t *testing.T, lock, victim string)
	}{
		{"symlink", func(t *testing.T, lock, victim string) { must(t, os.Symlink(victim, lock)) }},
		{"hard link", func(t *testing.T, lock, victim string) { must(t, os.Link(victim, lock)) }},
		{"fifo", func(t *testing.T, lock, victim string) { must(t, syscall.Mkfifo(lock, 0o600)) }},
		{"other owner", func(t *testing.T, lock, victim string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to give a file to another user")
			}
			must(t, os.WriteFile(lock, []byte("x"), 0o600))
			must(t, os.Chown(lock, 65534, 65534))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "cache.json")
			victim := filepath.Join(dir, "victim")
			must(t, os.WriteFile(victim, []byte(want), 0o600))
			tc.plant(t, path+".lockfile", victim)
			st, err := NewPlaintextFile(path, &FileOptions{LockTimeout: time.Second})
			must(t, err)
			release, err := st.Lock(context.Background())
			if err == nil {
				release()
				t.Fatal("lock taken through a planted lock file")
			}
			if !errors.Is(err, ErrUnsafeFile) {
				t.Errorf("Lock = %v, want ErrUnsafeFile", err)
			}
			if got, _ := os.ReadFile(victim); string(got) != want {
				t.Errorf("the victim file now holds %q", got)
			}
			c := New(st, nil)
			if err := c.Write(context.Background(), Update{AccessToken: testAT("x", "A", time.Hour)}); !errors.Is(err, ErrNotPersisted) {
				t.Errorf("Write with a planted lock file = %v, want ErrNotPersisted", err)
			}
		})
	}
}
