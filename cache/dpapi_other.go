//go:build !windows

package cache

// NewDPAPIFile fails with ErrUnsupported: DPAPI exists only on Windows.
func NewDPAPIFile(path string, opts *FileOptions) (*FileStorage, error) {
	return nil, &Error{Op: "open", Path: path, Err: ErrUnsupported}
}
