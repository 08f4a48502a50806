package main

import (
	"context"
	"errors"

	"github.com/entraauth/entraauth/cache"
)

// openSecretStore opens the OS secret store for the session's profile.
// TODO(entraauth): wire cache.NewSecretService / NewDPAPIFile /
// NewKeychainFile once the cache package has them.
func openSecretStore(ctx context.Context, s *session) (cache.Storage, error) {
	return nil, errors.New("secret stores are not wired yet")
}
