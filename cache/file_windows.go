package cache

import (
	"io/fs"
	"os"
)

// checkPerm: Windows file modes do not express ACLs; the file is created
// in the user's profile, which is private by default.
const checkPerm = false

// openNoFollow opens path; Read has already refused a symlink (Lstat
// reports reparse points as symlinks) and compares the opened file with it.
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }

// syncDir is a no-op: Windows cannot fsync a directory.
func syncDir(string) {}

func fileID(fs.FileInfo) string { return "" }

// checkOwner: file ownership is not checked here (on Windows the file is
// in the user's profile, private by default).
func checkOwner(fs.FileInfo) error { return nil }
