//go:build !windows

package azurecli

import "github.com/entraauth/entraauth/cache"

// openDPAPI fails with cache.ErrUnsupported: DPAPI exists only on
// Windows (see dpapi_windows.go for why persistent is not imported here).
func openDPAPI(path string) (*cache.FileStorage, error) {
	return nil, &cache.Error{Op: "open", Path: path, Err: cache.ErrUnsupported}
}
