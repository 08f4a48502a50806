//go:build unix

package cache

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// checkPerm: Unix permission bits are meaningful.
const checkPerm = true

// openNoFollow opens path for reading, refusing a symbolic link. It does
// not wait: a FIFO swapped in after the caller's Lstat opens at once
// (O_NONBLOCK; open(2) for reading would otherwise wait for a writer),
// and the caller's check of the open file refuses it. O_NONBLOCK changes
// nothing for a regular file.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func fileID(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return strconv.FormatUint(uint64(st.Ino), 10)
	}
	return ""
}

// checkOwner refuses a file owned by another user than this process's
// effective user.
func checkOwner(fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%w: cannot tell who owns it", ErrUnsafeFile)
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: it belongs to user %d, not %d", ErrUnsafeFile, st.Uid, os.Geteuid())
	}
	return nil
}
