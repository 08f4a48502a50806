//go:build unix

package cache

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// createLockFile creates the lock file (0600), failing with fs.ErrExist
// when it is there already, without following a symbolic link.
func createLockFile(path string) (*os.File, error) {
	return openLock(path, os.O_CREATE|os.O_EXCL)
}

// openLockFile opens the existing lock file without following a symbolic
// link, without blocking on a FIFO, and refuses a file that is not a
// regular file, has other hard links, or belongs to another user: the
// holder writes its process ID into the file, and nothing may ever be
// written through a planted link into a file the user did not mean.
func openLockFile(path string) (*os.File, error) { return openLock(path, 0) }

func openLock(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%w: the lock file is a symbolic link", ErrUnsafeFile)
	}
	if err != nil {
		return nil, err
	}
	if err := checkLockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// processAlive reports whether a process with this ID exists (signal 0
// checks without sending; EPERM means it exists as another user's).
func processAlive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func checkLockFile(f *os.File) error {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return err
	}
	switch {
	case st.Nlink == 0:
		return errLockBusy // the previous holder deleted it after we opened it: retry
	case st.Mode&syscall.S_IFMT != syscall.S_IFREG:
		return fmt.Errorf("%w: the lock file is not a regular file", ErrUnsafeFile)
	case st.Nlink != 1:
		return fmt.Errorf("%w: the lock file has %d hard links", ErrUnsafeFile, st.Nlink)
	case int(st.Uid) != os.Geteuid():
		return fmt.Errorf("%w: the lock file belongs to user %d, not %d", ErrUnsafeFile, st.Uid, os.Geteuid())
	}
	return nil
}

func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		default:
			return false, err
		}
	}
}

func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
