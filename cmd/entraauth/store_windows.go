package main

import (
	"context"
	"path/filepath"

	"github.com/entraauth/entraauth/cache"
)

// openSecretStore returns a DPAPI-encrypted file (the current user's key),
// as Azure CLI's msal_token_cache.bin.
func openSecretStore(ctx context.Context, s *session) (cache.Storage, error) {
	st, err := cache.NewDPAPIFile(filepath.Join(s.dir, "msal_token_cache.bin"), nil)
	if err != nil {
		return nil, err
	}
	return st, probe(ctx, st)
}
