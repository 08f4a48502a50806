//go:build unix

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The key files ssh-cert reads and writes: nothing planted at the key's
// path is written through, a FIFO in place of <key>.pub is refused
// instead of blocking, and a key pair it makes is 0600.
func TestSSHCertKeyFiles(t *testing.T) {
	t.Run("dangling symlink at the key path", func(t *testing.T) {
		dir := t.TempDir()
		key, target := filepath.Join(dir, "id"), filepath.Join(dir, "elsewhere")
		if err := os.Symlink(target, key); err != nil {
			t.Fatal(err)
		}
		if _, err := publicKeyFor(key); err == nil {
			t.Error("a key pair was made over a symlink")
		}
		if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the symlink's target was written: %v", err)
		}
	})
	t.Run("FIFO as the public key", func(t *testing.T) {
		key := filepath.Join(t.TempDir(), "id")
		if err := syscall.Mkfifo(key+".pub", 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := publicKeyFor(key); done <- err }()
		select {
		case err := <-done:
			if err == nil {
				t.Error("a FIFO was read as a public key")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("reading a FIFO planted as <key>.pub blocked")
		}
	})
	t.Run("new key pair", func(t *testing.T) {
		key := filepath.Join(t.TempDir(), "sub", "id")
		if _, err := publicKeyFor(key); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{key, key + ".pub"} {
			fi, err := os.Lstat(p)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(p), err)
			} else if fi.Mode() != 0o600 {
				t.Errorf("%s: mode %v; want a regular 0600 file", filepath.Base(p), fi.Mode())
			}
		}
		if _, err := publicKeyFor(key); err != nil {
			t.Errorf("reading back the pair it made: %v", err)
		}
	})
}
