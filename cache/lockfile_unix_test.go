//go:build unix

package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// A lock file that stands with nobody holding its flock is taken over only
// when it was abandoned: the process it names is gone, or it has not been
// written for staleLockAge. A fresh one belongs to a live process between
// two steps (msal-extensions creates it empty, then locks it; the MSAL
// extensions unlock it, then delete it): we wait, and leave it untouched.
func TestLockFileLeftStanding(t *testing.T) {
	dead := exec.Command("true")
	must(t, dead.Run())
	deadPID := dead.ProcessState.Pid()
	now := time.Now()
	cases := []struct {
		name    string
		content string
		mtime   time.Time
		taken   bool
	}{
		{"created, not yet locked", "", now, false},
		{"unlocked, not yet deleted", fmt.Sprintf("%d python3", os.Getppid()), now, false},
		{"holder died", fmt.Sprintf("%d msal_silent.py", deadPID), now, true},
		{"MSAL Go's holder died", fmt.Sprintf("{%d} {/usr/bin/app}", deadPID), now, true},
		{"MSAL Go's holder, unlocked, not yet deleted", fmt.Sprintf("{%d} {/usr/bin/app}", os.Getppid()), now, false},
		{"empty and old", "", now.Add(-2 * staleLockAge), true},
		{"live holder, not written for long", fmt.Sprintf("%d python3", os.Getppid()), now.Add(-2 * staleLockAge), true},
		{"written in the future", "", now.Add(time.Hour), true},
		{"not a pid", "garbage", now, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.json")
			lock := path + ".lockfile"
			must(t, os.WriteFile(lock, []byte(tc.content), 0o600))
			must(t, os.Chtimes(lock, tc.mtime, tc.mtime))
			before, err := os.Stat(lock)
			must(t, err)
			st, err := NewPlaintextFile(path, &FileOptions{LockTimeout: 300 * time.Millisecond})
			must(t, err)
			release, err := st.Lock(context.Background())
			if !tc.taken {
				if !errors.Is(err, ErrLockTimeout) {
					t.Fatalf("Lock = %v, want ErrLockTimeout: the file is a live process's", err)
				}
				after, err := os.Stat(lock)
				if got, _ := os.ReadFile(lock); err != nil || !os.SameFile(before, after) || string(got) != tc.content {
					t.Errorf("the live process's lock file was changed: %q %v", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Lock over an abandoned lock file = %v", err)
			}
			if got, _ := os.ReadFile(lock); !strings.HasPrefix(string(got), strconv.Itoa(os.Getpid())+" ") {
				t.Errorf("lock file holds %q, want our pid", got)
			}
			must(t, release())
			if _, err := os.Stat(lock); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the lock file is still there after release (%v)", err)
			}
		})
	}
}

// FuzzLockPID: whatever a lock file holds, parsing it never panics and
// never yields a process ID below 1.
func FuzzLockPID(f *testing.F) {
	for _, seed := range []string{"", "123 python3", "{123} {/usr/bin/az}", "0 x", "-1 x", "99999999999999999999 x", "{} {}"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if pid, ok := lockPID(b); ok && pid < 1 {
			t.Errorf("lockPID(%q) = %d", b, pid)
		}
	})
}

// A FIFO swapped in for the cache file between readSafe's Lstat and its
// open must not block the open (an open for reading waits for a writer,
// with no deadline): openNoFollow returns at once, and the open file is
// then refused as not the file checked.
func TestOpenNoFollowFIFODoesNotWait(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cache.json")
	must(t, syscall.Mkfifo(p, 0o600))
	done := make(chan error, 1)
	go func() {
		f, err := openNoFollow(p)
		if err == nil {
			var fi fs.FileInfo
			if fi, err = f.Stat(); err == nil && fi.Mode().IsRegular() {
				err = errors.New("a FIFO opened as a regular file")
			} else {
				err = nil
			}
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close() // unblock the open so the test can end
		}
		<-done
		t.Error("opening a FIFO for reading blocked")
	}
}
