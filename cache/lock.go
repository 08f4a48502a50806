package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DefaultLockTimeout bounds the wait for a cross-process lock when the
// storage's options do not say otherwise. MSAL Go's extension waits 5 s,
// MSAL .NET's 60 s; a user waiting on a second process's token refresh
// rarely waits more than a few seconds.
const DefaultLockTimeout = 10 * time.Second

// lockFile takes the cross-process lock at path (MSAL's "<cache>.lockfile"
// convention): an exclusive flock (LockFileEx on Windows) on the file,
// retried with back-off until timeout or ctx ends. The kernel drops the
// lock of a process that dies, so a lock file left behind is stale by
// definition and is simply taken over. The holder writes "<pid> <argv0>"
// into it, as the MSAL extensions do, and deletes it on release; a waiter
// that locked a file which was meanwhile deleted (its inode no longer at
// path) retries, so two processes never both hold the lock.
func lockFile(ctx context.Context, path string, timeout time.Duration) (func() error, error) {
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
// is deleting it (Windows refuses to open a file pending deletion).
var errLockBusy = errors.New("lock file busy")

// tryLockFile makes one attempt: the release function when the lock is
// held, nil and no error when another process holds it.
func tryLockFile(path string) (func() error, error) {
	f, err := openLockFile(path)
	if errors.Is(err, errLockBusy) {
		return nil, nil // being deleted by the previous holder (Windows)
	}
	if err != nil {
		return nil, &Error{Op: "lock", Path: path, Err: err}
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, &Error{Op: "lock", Path: path, Err: err}
	}
	if !ok {
		f.Close()
		return nil, nil
	}
	held, err1 := f.Stat()
	now, err2 := os.Lstat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, now) {
		unlock(f)
		f.Close()
		return nil, nil // the holder before us deleted it: try again
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d %s", os.Getpid(), filepath.Base(os.Args[0]))
	return func() error {
		_ = os.Remove(path) // before unlocking: waiters on this inode then retry
		unlock(f)
		return f.Close()
	}, nil
}
