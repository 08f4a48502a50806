package main

import (
	"context"
	"path/filepath"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/cache/persistent"
)

// openSecretStore returns a file encrypted with a key kept in the login
// keychain, after checking that it can be read and written.
func openSecretStore(ctx context.Context, s *session) (cache.Storage, storeInfo, *storeError) {
	path := filepath.Join(s.dir, "msal_token_cache.enc")
	st, err := persistent.NewKeychainFile(path, &persistent.KeychainOptions{Service: "entraauth", Account: "MSALCacheKey-" + profileName(s.opts.fake)})
	if err == nil {
		err = probe(ctx, st)
	}
	if err != nil {
		return nil, storeInfo{}, &storeError{reason: storeReason(err), fix: "; unlock the login keychain (`security unlock-keychain`)"}
	}
	return st, storeInfo{where: path + " (key in the login keychain)", encrypted: true}, nil
}
