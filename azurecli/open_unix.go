//go:build unix

package azurecli

import (
	"os"
	"syscall"
)

// openNoWait opens path for reading without waiting: a FIFO planted in
// place of one of az's files (or swapped in at any moment) opens at once
// (O_NONBLOCK; open(2) for reading would wait for a writer), and the
// check of the open file refuses it. O_NONBLOCK changes nothing for a
// regular file.
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
