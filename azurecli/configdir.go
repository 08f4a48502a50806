package azurecli

import (
	"errors"
	"os"
	"path/filepath"
)

// ErrNoConfigDir means Azure CLI's configuration directory cannot be
// found: AZURE_CONFIG_DIR is unset and the home directory is unset or not
// an absolute path. The credential then never reads a relative ".azure"
// of the working directory (which anyone who can write there could
// plant); the cache route is unavailable.
var ErrNoConfigDir = errors.New("azurecli: no Azure CLI configuration directory: set HOME (an absolute path) or AZURE_CONFIG_DIR")

// configDir is $AZURE_CONFIG_DIR made absolute, else .azure in the home
// directory, which must be absolute.
func configDir() (string, error) {
	if d := os.Getenv("AZURE_CONFIG_DIR"); d != "" {
		// az runs in "/" (safeDir), so a relative directory would name
		// another place for az than for this process.
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil || !filepath.IsAbs(home) {
		return "", ErrNoConfigDir
	}
	return filepath.Join(home, ".azure"), nil
}
