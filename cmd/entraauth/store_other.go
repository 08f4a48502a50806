//go:build !linux && !windows && !darwin

package main

import (
	"context"
	"errors"

	"github.com/entraauth/entraauth/cache"
)

// openSecretStore: this OS has no secret store binding.
func openSecretStore(context.Context, *session) (cache.Storage, error) {
	return nil, errors.New("no secret store binding for this OS")
}
