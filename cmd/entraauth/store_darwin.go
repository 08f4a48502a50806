package main

import (
	"context"
	"path/filepath"

	"github.com/entraauth/entraauth/cache"
)

// openSecretStore returns a file encrypted with a key kept in the login
// keychain.
func openSecretStore(ctx context.Context, s *session) (cache.Storage, error) {
	st, err := cache.NewKeychainFile(filepath.Join(s.dir, "msal_token_cache.enc"),
		&cache.KeychainOptions{Service: "entraauth", Account: "MSALCacheKey-" + profileName(s)})
	if err != nil {
		return nil, err
	}
	return st, probe(ctx, st)
}
