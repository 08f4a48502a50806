package azurecli

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/entraauth/entraauth/cache"
)

// Azure CLI keeps its MSAL token cache in the configuration directory as
// msal_token_cache.json, or msal_token_cache.bin when the cache is
// encrypted (core.encrypt_token_cache, on by default on Windows only,
// where the .bin file is DPAPI-protected; azure/cli/core/auth/persistence.py).
// Both are locked through "<file>.lockfile" by msal-extensions'
// CrossPlatLock (an flock on Unix), which cache.FileStorage takes too.
const (
	plainCacheFile     = "msal_token_cache.json"
	encryptedCacheFile = "msal_token_cache.bin"
)

// cacheChoice says which file Azure CLI uses and whether this process
// can read it.
type cacheChoice struct {
	path      string
	encrypted bool
}

// chooseCache picks Azure CLI's token cache file the way Azure CLI
// does: encrypted when core.encrypt_token_cache says so, else by default
// on Windows only.
func chooseCache(configDir, goos string) cacheChoice {
	encrypt := goos == "windows"
	if b, err := readFile(filepath.Join(configDir, "config")); err == nil {
		switch strings.ToLower(parseINI(b)["core"]["encrypt_token_cache"]) {
		case "true", "yes", "on", "1":
			encrypt = true
		case "false", "no", "off", "0":
			encrypt = false
		}
	}
	if encrypt {
		return cacheChoice{path: filepath.Join(configDir, encryptedCacheFile), encrypted: true}
	}
	return cacheChoice{path: filepath.Join(configDir, plainCacheFile)}
}

// errCacheUnreadable: the cache file exists in a form this process
// cannot open (encrypted with a secret store this package does not use).
var errCacheUnreadable = errors.New("the Azure CLI token cache is encrypted in a way this library cannot read")

// openStorage returns a storage for Azure CLI's cache file.
func openStorage(c cacheChoice, goos string) (cache.Storage, error) {
	if _, err := os.Lstat(c.path); errors.Is(err, fs.ErrNotExist) {
		return nil, errNoSession
	}
	var (
		fsto *cache.FileStorage
		err  error
	)
	switch {
	case !c.encrypted:
		// Azure CLI's own choice: the file is already plaintext, mode 0600.
		fsto, err = cache.NewPlaintextFile(c.path, nil)
	case goos == "windows":
		fsto, err = openDPAPI(c.path)
	default:
		// On Linux and macOS Azure CLI's encrypted cache lives in the
		// Secret Service or keychain under its own item; not read here.
		return nil, errCacheUnreadable
	}
	if err != nil {
		return nil, err
	}
	return noQuarantine{fsto}, nil
}

// noQuarantine hides FileStorage's Quarantine: a cache document this
// package cannot parse is Azure CLI's, and is never moved aside (the
// cache then refuses to write over it).
type noQuarantine struct{ s *cache.FileStorage }

func (n noQuarantine) Lock(ctx context.Context) (func() error, error) { return n.s.Lock(ctx) }
func (n noQuarantine) Read(ctx context.Context) ([]byte, error)       { return n.s.Read(ctx) }
func (n noQuarantine) Write(ctx context.Context, b []byte) error      { return n.s.Write(ctx, b) }
func (n noQuarantine) Version(ctx context.Context) (string, error)    { return n.s.Version(ctx) }
