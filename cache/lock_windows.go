package cache

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// createLockFile creates the lock file, failing with fs.ErrExist when it
// is there already.
func createLockFile(path string) (*os.File, error) {
	return openLock(path, os.O_CREATE|os.O_EXCL)
}

// openLockFile opens the existing lock file and refuses one that is a
// symbolic link or junction (the opened file is not the one at path
// itself) or has other hard links, before anything is written into it.
func openLockFile(path string) (*os.File, error) { return openLock(path, 0) }

func openLock(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|flag, 0o600)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION) {
		return nil, errLockBusy // the previous holder is deleting it: retry
	}
	if err != nil {
		return nil, err
	}
	if err := checkLockFile(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// processAlive reports whether a process with this ID exists. Opening it
// fails with ERROR_INVALID_PARAMETER when there is none; any other answer
// (access denied to another user's process) counts as alive.
func processAlive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err == nil {
		windows.CloseHandle(h)
		return true
	}
	return !errors.Is(err, windows.ERROR_INVALID_PARAMETER)
}

func checkLockFile(f *os.File, path string) error {
	link, err := os.Lstat(path)
	if err != nil {
		return errLockBusy // deleted meanwhile: retry
	}
	opened, err := f.Stat()
	if err != nil {
		return err
	}
	if link.Mode()&os.ModeSymlink != 0 || !link.Mode().IsRegular() || !os.SameFile(link, opened) {
		return fmt.Errorf("%w: the lock file is a link or not a regular file", ErrUnsafeFile)
	}
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &info); err != nil {
		return err
	}
	if info.NumberOfLinks > 1 {
		return fmt.Errorf("%w: the lock file has %d hard links", ErrUnsafeFile, info.NumberOfLinks)
	}
	return nil
}

func tryLock(f *os.File) (bool, error) {
	ol := new(windows.Overlapped)
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return false, nil
	}
	return err == nil, err
}

func unlock(f *os.File) {
	_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}
