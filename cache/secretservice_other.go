//go:build !linux

package cache

import "context"

// SecretService is the Linux Secret Service storage; on this operating
// system every method fails with ErrUnsupported.
type SecretService struct{}

// NewSecretService fails with ErrUnsupported: the Secret Service is a
// freedesktop (Linux) API.
func NewSecretService(opts *SecretServiceOptions) (*SecretService, error) {
	return nil, &Error{Op: "open", Err: ErrUnsupported}
}

// Lock fails with ErrUnsupported.
func (*SecretService) Lock(context.Context) (func() error, error) { return nil, ErrUnsupported }

// Read fails with ErrUnsupported.
func (*SecretService) Read(context.Context) ([]byte, error) { return nil, ErrUnsupported }

// Write fails with ErrUnsupported.
func (*SecretService) Write(context.Context, []byte) error { return ErrUnsupported }
