//go:build !unix && !windows

package cache

import "os"

func createLockFile(path string) (*os.File, error) { return openLockFile(path) }

func openLockFile(path string) (*os.File, error) {
	return nil, &Error{Op: "lock", Path: path, Err: ErrUnsupported}
}

func processAlive(int) bool { return true }

func tryLock(*os.File) (bool, error) { return false, ErrUnsupported }

func unlock(*os.File) {}
