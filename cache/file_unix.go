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

func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
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
