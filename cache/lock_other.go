//go:build !unix && !windows

package cache

import "os"

func openLockFile(path string) (*os.File, error) {
	return nil, &Error{Op: "lock", Path: path, Err: ErrUnsupported}
}

func tryLock(*os.File) (bool, error) { return false, ErrUnsupported }

func unlock(*os.File) {}
