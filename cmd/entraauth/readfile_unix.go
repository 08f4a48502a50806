//go:build unix

package main

import (
	"os"
	"syscall"
)

// openNoWait opens path for reading without waiting: a FIFO opens at
// once (O_NONBLOCK; open(2) for reading would wait for a writer), to be
// refused by the check of the open file. O_NONBLOCK changes nothing for
// a regular file.
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
