//go:build !darwin

package persistent

import "github.com/entraauth/entraauth/cache"

// NewKeychainFile fails with cache.ErrUnsupported: the keychain is macOS's.
func NewKeychainFile(path string, opts *KeychainOptions) (*cache.FileStorage, error) {
	return nil, &cache.Error{Op: "open", Path: path, Err: cache.ErrUnsupported}
}
