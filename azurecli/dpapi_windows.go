package azurecli

import (
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/cache/persistent"
)

// openDPAPI opens Azure CLI's DPAPI-protected msal_token_cache.bin.
// Package persistent is imported on Windows only: elsewhere it would
// link its Secret Service client (D-Bus), which this package never uses.
func openDPAPI(path string) (*cache.FileStorage, error) {
	return persistent.NewDPAPIFile(path, nil)
}
