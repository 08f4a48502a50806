//go:build !windows

package persistent

import (
	"os"
	"path/filepath"
)

// identityServiceDir is azure-identity's directory: ~/.IdentityService.
func identityServiceDir() (string, error) {
	home, err := os.UserHomeDir()
	return filepath.Join(home, ".IdentityService"), err
}
