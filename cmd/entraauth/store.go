package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// plainCacheFile is the name of the unencrypted fallback cache, the one
// Azure CLI uses for the same purpose.
const plainCacheFile = "msal_token_cache.json"

// openStorage returns where the token cache persists: the OS secret store
// when there is one (Secret Service over D-Bus on Linux, DPAPI on Windows,
// the keychain on macOS); else, unless --require-encrypted-cache, a 0600
// plain file in the profile directory, with a one-line warning on stderr.
// The library never falls back on its own: this is the tool's choice, as
// it is Azure CLI's.
func openStorage(ctx context.Context, s *session) (cache.Storage, error) {
	st, secretErr := openSecretStore(ctx, s)
	if secretErr == nil {
		return st, nil
	}
	if s.opts.requireEncrypted {
		return nil, fmt.Errorf("no OS secret store is available (%v), and --require-encrypted-cache (or %s) refuses a plain file", secretErr, envRequireEncrypted)
	}
	path := filepath.Join(s.dir, plainCacheFile)
	fst, err := cache.NewPlaintextFile(path, nil)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(s.io.stderr, "entraauth: warning: no OS secret store (%v); tokens are kept unencrypted in %s (mode 0600). Use --require-encrypted-cache to refuse.\n", secretErr, path)
	return fst, nil
}

// probe checks that a storage answers, by reading it under its lock, so
// that an unusable secret store is found before sign-in, not after.
func probe(ctx context.Context, st cache.Storage) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	release, err := st.Lock(ctx)
	if err != nil {
		return err
	}
	_, err = st.Read(ctx)
	return errors.Join(err, release())
}

// profileName names the profile in secret store items.
func profileName(s *session) string {
	if s.fake != nil || s.opts.fake {
		return "fake"
	}
	return "default"
}
