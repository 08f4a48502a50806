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

// storeInfo says where the session's tokens live, for login's one line
// and for status.
type storeInfo struct {
	where     string // "the Secret Service (collection "login")", a path...
	encrypted bool
	why       string // why the secret store is not used; "" when it is
}

// line is the one line login prints before the sign-in.
func (i storeInfo) line() string {
	if i.encrypted {
		return "Tokens will be kept in " + i.where + "."
	}
	return "Tokens will be kept unencrypted (mode 0600) in " + i.where + ": " + i.why + "."
}

// openStorage decides, before any sign-in, where the token cache persists:
// the OS secret store when there is one that can be written (Secret
// Service over D-Bus on Linux, DPAPI on Windows, the keychain on macOS);
// else, unless --require-encrypted-cache, a 0600 plain file in the profile
// directory. The library never falls back on its own: this is the tool's
// choice, as it is Azure CLI's. Nothing is printed here: login says where
// tokens will live, once; commands that store nothing say nothing.
func openStorage(ctx context.Context, s *session) error {
	st, info, secretErr := openSecretStore(ctx, s)
	if secretErr == nil {
		s.storage, s.store = st, info
		return nil
	}
	if s.opts.requireEncrypted {
		return fmt.Errorf("no usable OS secret store (%s), and --require-encrypted-cache (or %s) refuses a plain file%s",
			secretErr.reason, envRequireEncrypted, secretErr.fix)
	}
	path := filepath.Join(s.dir, plainCacheFile)
	fst, err := cache.NewPlaintextFile(path, nil)
	if err != nil {
		return fmt.Errorf("cannot open the token cache file %s: %w", path, err)
	}
	s.storage = fst
	s.store = storeInfo{where: path, why: secretErr.reason}
	return nil
}

// storeError is why the OS secret store cannot be used, in words for the
// user (no API names), and what would fix it.
type storeError struct {
	reason string // "no D-Bus session bus", ...
	fix    string // "; run ..." or ""
}

// probe checks that a storage can be read and written, under its lock, so
// that an unusable secret store is found before sign-in, not after: it
// reads the cache and, when there is none yet, writes an empty one (a
// Secret Service without a default collection fails here).
func probe(ctx context.Context, st cache.Storage) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	release, err := st.Lock(ctx)
	if err != nil {
		return err
	}
	data, err := st.Read(ctx)
	if err == nil && len(data) == 0 {
		err = st.Write(ctx, []byte("{}"))
	}
	return errors.Join(err, release())
}

// storeReason names, for the user, what a secret store's error means.
func storeReason(err error) string {
	switch {
	case errors.Is(err, cache.ErrKeyringLocked):
		return "the OS secret store is locked and cannot ask for its password here"
	case errors.Is(err, context.DeadlineExceeded):
		return "the OS secret store did not answer within 10 s"
	}
	return "the OS secret store cannot be used"
}
