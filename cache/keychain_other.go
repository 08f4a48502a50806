//go:build !darwin

package cache

// NewKeychainFile fails with ErrUnsupported: the keychain is macOS's.
func NewKeychainFile(path string, opts *KeychainOptions) (*FileStorage, error) {
	return nil, &Error{Op: "open", Path: path, Err: ErrUnsupported}
}
