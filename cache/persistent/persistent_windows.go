package persistent

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/entraauth/entraauth/cache"
)

func identityServiceDir() (string, error) {
	dir := os.Getenv("LOCALAPPDATA")
	if dir == "" {
		return "", errors.New("LOCALAPPDATA is not set")
	}
	return filepath.Join(dir, ".IdentityService"), nil
}

// openEncrypted opens the DPAPI file azure-identity uses for r.Name.
func openEncrypted(ctx context.Context, r resolved) (cache.Storage, error) {
	return NewDPAPIFile(r.path, r.fileOptions())
}
