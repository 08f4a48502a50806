package main

import (
	"context"
	"path/filepath"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/cache/persistent"
)

// openSecretStore returns a DPAPI-encrypted file (the current user's key),
// as Azure CLI's msal_token_cache.bin, after checking that it can be read
// and written.
func openSecretStore(ctx context.Context, s *session) (cache.Storage, storeInfo, *storeError) {
	path := filepath.Join(s.dir, "msal_token_cache.bin")
	st, err := persistent.NewDPAPIFile(path, nil)
	if err == nil {
		err = probe(ctx, st)
	}
	if err != nil {
		return nil, storeInfo{}, &storeError{reason: storeReason(err)}
	}
	return st, storeInfo{where: path + " (encrypted with DPAPI)", encrypted: true}, nil
}
