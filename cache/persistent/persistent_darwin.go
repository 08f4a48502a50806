package persistent

import (
	"context"
	"errors"

	"github.com/entraauth/entraauth/cache"
)

// openEncrypted opens Dir/Name.entraauth, keyed from the login keychain
// (service "entraauth", account the cache name), after checking that the
// keychain answers.
func openEncrypted(ctx context.Context, r resolved) (cache.Storage, error) {
	ks := securityCLI{"entraauth", r.Name}
	if _, err := ks.loadKey(); err != nil && !errors.Is(err, errKeyNotFound) {
		return nil, err
	}
	return NewKeychainFile(r.path+".entraauth", &KeychainOptions{Service: ks.service, Account: ks.account, File: r.fileOptions()})
}
