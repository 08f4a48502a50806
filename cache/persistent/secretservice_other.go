//go:build !linux

package persistent

import (
	"context"

	"github.com/entraauth/entraauth/cache"
)

// SecretService is the Linux Secret Service storage; on this operating
// system every method fails with cache.ErrUnsupported.
type SecretService struct{}

// NewSecretService fails with cache.ErrUnsupported: the Secret Service is a
// freedesktop (Linux) API. Options that would be refused on Linux are
// refused here too, with the same error.
func NewSecretService(opts *SecretServiceOptions) (*SecretService, error) {
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	return nil, &cache.Error{Op: "open", Err: cache.ErrUnsupported}
}

// Lock fails with cache.ErrUnsupported.
func (*SecretService) Lock(context.Context) (func() error, error) { return nil, cache.ErrUnsupported }

// Read fails with cache.ErrUnsupported.
func (*SecretService) Read(context.Context) ([]byte, error) { return nil, cache.ErrUnsupported }

// Write fails with cache.ErrUnsupported.
func (*SecretService) Write(context.Context, []byte) error { return cache.ErrUnsupported }
