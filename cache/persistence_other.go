//go:build !linux && !windows && !darwin

package cache

import (
	"context"
)

// openEncrypted: no encrypted store is supported on this system.
func openEncrypted(ctx context.Context, r resolved) (Storage, error) {
	return nil, &Error{Op: "open", Path: r.path, Err: ErrUnsupported}
}
