//go:build !linux && !windows && !darwin

package main

import (
	"context"

	"github.com/entraauth/entraauth/cache"
)

// openSecretStore: this OS has no secret store binding.
func openSecretStore(context.Context, *session) (cache.Storage, storeInfo, *storeError) {
	return nil, storeInfo{}, &storeError{reason: "entraauth has no OS secret store for this system"}
}
