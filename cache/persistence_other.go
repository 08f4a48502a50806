//go:build !linux && !windows && !darwin

package cache

import (
	"context"
	"os"
	"path/filepath"
)

func identityServiceDir() (string, error) {
	home, err := os.UserHomeDir()
	return filepath.Join(home, ".IdentityService"), err
}

// openEncrypted: no encrypted store is supported on this system.
func openEncrypted(ctx context.Context, r resolved) (Storage, error) {
	return nil, &Error{Op: "open", Path: r.path, Err: ErrUnsupported}
}
