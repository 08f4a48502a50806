package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultLockTimeout bounds the wait for a cross-process lock when the
// storage's options do not say otherwise. MSAL Go's extension waits 5 s,
// MSAL .NET's 60 s; a user waiting on a second process's token refresh
// rarely waits more than a few seconds.
const DefaultLockTimeout = 10 * time.Second

// LockFile takes the cross-process lock at path (MSAL's "<cache>.lockfile"
// convention), retried with back-off until timeout (0 means
// DefaultLockTimeout) or ctx ends, and returns the function that releases
// it; a timeout is an error matching ErrLockTimeout. Every storage of this
// module locks with it; a [Storage] of your own (a database, a vault)
// can too, to share the lock with the MSAL extensions and this module.
// The MSAL extensions use two signals, and a holder must honour both:
//
//   - the file's existence: msal-extensions for Python creates it with
//     O_EXCL before it locks it, waits while it exists, and deletes it on
//     release (msal_extensions/cache_lock.py, CrossPlatLock; its
//     filelock.py variant, used without portalocker, relies on existence
//     alone; https://github.com/AzureAD/microsoft-authentication-extensions-for-python);
//   - an exclusive flock on it (LockFileEx on Windows), which the kernel
//     drops when its holder dies.
//
// So we hold the lock when we created the file with O_EXCL and hold its
// flock. A file that is already there is someone else's until it is
// abandoned (see abandonedLock); only then do we take its flock and take
// it over. Taking the flock of a file another process has just created
// would make that process's own attempt fail and leave the file standing
// for everyone. The holder writes "<pid> <argv0>" into the file, as the
// MSAL extensions do, and deletes it on release; a waiter that locked a
// file which was meanwhile deleted (its inode no longer at path) retries.
//
// One gap is msal-extensions' own: after 5 s of waiting for the file to
// go it locks whatever file it opened, without checking that it is still
// at its path, so a holder that deletes the file on release (itself
// included) can leave it holding a lock on a deleted file. Our holds last
// milliseconds, with no network call under the lock, so it never waits
// that long on us. MSAL Go's extension opens the file without O_EXCL and
// waits for its flock, unlocking before it deletes; it has the same gap
// whenever it waits on a holder that deletes the file.
func LockFile(ctx context.Context, path string, timeout time.Duration) (func() error, error) {
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &Error{Op: "lock", Path: path, Err: err}
	}
	deadline := time.Now().Add(timeout)
	delay := 2 * time.Millisecond
	for {
		release, err := tryLockFile(path)
		if err != nil || release != nil {
			return release, err
		}
		wait := min(delay, time.Until(deadline))
		if wait <= 0 {
			return nil, &Error{Op: "lock", Path: path, Err: fmt.Errorf("%w after %v", ErrLockTimeout, timeout)}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, &Error{Op: "lock", Path: path, Err: fmt.Errorf("%w: %w", ErrLockTimeout, context.Cause(ctx))}
		case <-timer.C:
		}
		delay = min(delay*2, 20*time.Millisecond)
	}
}

// errLockBusy: the lock file cannot be opened right now because its holder
// is deleting it (Windows refuses to open a file pending deletion), or it
// was deleted between two steps of an attempt.
var errLockBusy = errors.New("lock file busy")

// tryLockFile makes one attempt: the release function when the lock is
// held, nil and no error when another process holds it.
func tryLockFile(path string) (func() error, error) {
	f, err := createLockFile(path)
	created := err == nil
	if errors.Is(err, fs.ErrExist) {
		f, err = openLockFile(path)
	}
	if errors.Is(err, errLockBusy) || errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Op: "lock", Path: path, Err: err}
	}
	if !created && !abandonedLock(f, time.Now()) {
		// Not even a try at its flock: a waiter holding it for a moment
		// would make its creator's own try fail and leave it standing.
		f.Close()
		return nil, nil
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, &Error{Op: "lock", Path: path, Err: err}
	}
	if !ok || !stillAt(f, path) {
		if ok {
			unlock(f)
		}
		f.Close()
		return nil, nil
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d %s", os.Getpid(), filepath.Base(os.Args[0]))
	return func() error {
		_ = os.Remove(path) // before unlocking: our waiters on this inode then retry
		unlock(f)
		return f.Close()
	}, nil
}

// stillAt reports whether the locked file is still the one at path: the
// holder before us may have deleted it after we opened it.
func stillAt(f *os.File, path string) bool {
	held, err1 := f.Stat()
	now, err2 := os.Lstat(path)
	return err1 == nil && err2 == nil && os.SameFile(held, now)
}

// staleLockAge is how long a lock file nobody holds the flock of may
// stand before it is taken over although the process named in it is
// alive, or no process is named. msal-extensions for Python waits 5 s for
// a lock file to go before it locks it anyway; a shorter wait would take
// the file of a process that has created it and not yet locked it.
const staleLockAge = 5 * time.Second

// abandonedLock reports whether a lock file that was there before this
// attempt was left by a process that died (so nobody will delete it)
// rather than being between two steps of a live process: created and not
// yet locked (empty then), or unlocked and not yet deleted (the MSAL
// extensions unlock before they delete). It is abandoned when the process
// it names no longer exists, or when it has not been written for
// staleLockAge; its flock is tried only after that. A modification time
// far in the future counts as old: a clock set back must not wedge it.
func abandonedLock(f *os.File, now time.Time) bool {
	var buf [64]byte
	n, _ := f.ReadAt(buf[:], 0)
	if pid, ok := lockPID(buf[:n]); ok && pid != os.Getpid() && !processAlive(pid) {
		return true
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	age := now.Sub(fi.ModTime())
	return age > staleLockAge || age < -staleLockAge
}

// lockPID parses the process ID a holder wrote at the start of the lock
// file: "<pid> <program>" (msal-extensions for Python and ours) or
// "{<pid>} {<program>}" (MSAL Go's extension, cache/internal/lock/lock.go
// in https://github.com/AzureAD/microsoft-authentication-extensions-for-go).
func lockPID(b []byte) (int, bool) {
	field, _, _ := strings.Cut(string(b), " ")
	field = strings.TrimSuffix(strings.TrimPrefix(field, "{"), "}")
	pid, err := strconv.Atoi(field)
	return pid, err == nil && pid > 0
}
