//go:build !linux && !windows && !darwin

package persistent

import (
	"context"

	"github.com/entraauth/entraauth/cache"
)

// openEncrypted: no encrypted store is supported on this system.
func openEncrypted(ctx context.Context, r resolved) (cache.Storage, error) {
	return nil, &cache.Error{Op: "open", Path: r.path, Err: cache.ErrUnsupported}
}
