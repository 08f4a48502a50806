//go:build !linux

package cache

import "context"

// SecretService is the Linux Secret Service storage; on this operating
// system every method fails with ErrUnsupported.
type SecretService struct{}

// NewSecretService fails with ErrUnsupported: the Secret Service is a
// freedesktop (Linux) API. Options that would be refused on Linux are
// refused here too, with the same error.
func NewSecretService(opts *SecretServiceOptions) (*SecretService, error) {
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	return nil, &Error{Op: "open", Err: ErrUnsupported}
}

// Lock fails with ErrUnsupported.
func (*SecretService) Lock(context.Context) (func() error, error) { return nil, ErrUnsupported }

// Read fails with ErrUnsupported.
func (*SecretService) Read(context.Context) ([]byte, error) { return nil, ErrUnsupported }

// Write fails with ErrUnsupported.
func (*SecretService) Write(context.Context, []byte) error { return ErrUnsupported }
