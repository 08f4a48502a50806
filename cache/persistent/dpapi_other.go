//go:build !windows

package persistent

import "github.com/entraauth/entraauth/cache"

// NewDPAPIFile fails with cache.ErrUnsupported: DPAPI exists only on Windows.
func NewDPAPIFile(path string, opts *cache.FileOptions) (*cache.FileStorage, error) {
	return nil, &cache.Error{Op: "open", Path: path, Err: cache.ErrUnsupported}
}
