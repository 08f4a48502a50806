package persistent

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// DefaultName is the name azure-identity (Python, .NET, JavaScript) and
// azidentity give their persistent cache when the caller names none, so a
// sign-in through any of them serves the others.
const DefaultName = "msal.cache"

// plaintextHint ends every secret-store error: the way out is explicit.
const plaintextHint = "tokens were not stored; to keep them unencrypted instead, opt in with cache.NewPlaintextFile"

// Options select a named persistent cache, as azure-identity's
// TokenCachePersistenceOptions(name=..., allow_unencrypted_storage=...)
// does, for [New]. A nil *Options means the defaults: the cache
// "msal.cache", encrypted or nothing.
type Options struct {
	// Name names the cache: the file under Dir, and on Linux the Secret
	// Service schema. "" means DefaultName. Give an application its own
	// name to keep its tokens apart from other tools'. A name is one path
	// element: no separators, not "." or "..".
	Name string
	// AllowUnencryptedStorage lets New fall back to an UNENCRYPTED file,
	// Dir/Name with mode 0600, when no encrypted store can be used here
	// (no Secret Service on a headless Linux host, a locked keychain in
	// an SSH session). Without it that case is an error matching
	// cache.ErrEncryptionUnavailable. The same file is azure-identity's
	// fallback, so the two still share the cache.
	AllowUnencryptedStorage bool
	// Dir holds the cache file (or the signal file touched on each write,
	// with a Secret Service), its "<Name>.lockfile" and the fallback.
	// "" means azure-identity's: ~/.IdentityService, on Windows
	// %LOCALAPPDATA%\.IdentityService.
	Dir string
	// LockTimeout bounds the wait for the lock file; 0 means
	// cache.DefaultLockTimeout.
	LockTimeout time.Duration
	// MaxSize bounds the read; 0 means cache.DefaultMaxSize.
	MaxSize int64
	// BusAddress is the D-Bus session bus address for the Secret Service
	// (Linux); "" means $DBUS_SESSION_BUS_ADDRESS.
	BusAddress string
}

// resolved is a completed copy of the options.
type resolved struct {
	Options
	path string // Dir/Name
}

func (o *Options) resolve() (resolved, error) {
	var r resolved
	if o != nil {
		r.Options = *o
	}
	if r.Name == "" {
		r.Name = DefaultName
	}
	if r.Name == "." || r.Name == ".." || strings.ContainsAny(r.Name, `/\`+"\x00") {
		return r, &cache.Error{Op: "open", Err: fmt.Errorf("cache name %q is not one path element", r.Name)}
	}
	if r.Dir == "" {
		dir, err := identityServiceDir()
		if err != nil {
			return r, &cache.Error{Op: "open", Err: fmt.Errorf("no directory for the cache: %w", err)}
		}
		r.Dir = dir
	}
	r.path = filepath.Join(r.Dir, r.Name)
	return r, nil
}

func (r resolved) fileOptions() *cache.FileOptions {
	return &cache.FileOptions{LockTimeout: r.LockTimeout, MaxSize: r.MaxSize}
}

// New opens the named cache in this operating system's encrypted store,
// where azure-identity 1.13 (through msal-extensions) keeps the cache of
// the same name:
//
//   - Linux: a Secret Service item, schema Name, attribute
//     MsalClientID=Microsoft.Developer.IdentityService, label "MSALCache",
//     the JSON document as the secret; the signal file Dir/Name is touched
//     on every write (msal-extensions reloads when it changes). The store
//     is probed (one read, bounded by ctx and 10 seconds) before it is
//     chosen.
//   - Windows: the DPAPI-encrypted file Dir/Name ([NewDPAPIFile]).
//   - macOS: the file Dir/Name.entraauth encrypted under a key kept in
//     the login keychain ([NewKeychainFile]). azure-identity keeps the
//     document in the keychain item itself, which security(1) cannot
//     carry, so there the two do not share a cache.
//
// The lock file is Dir/Name.lockfile, the one msal-extensions takes.
// When the encrypted store cannot be used, the cache falls back to the
// plaintext file Dir/Name (cache.NewPlaintextFile) only if
// AllowUnencryptedStorage is set; otherwise the error matches
// cache.ErrEncryptionUnavailable and the store's own error, and nothing
// is written. [Encrypted] tells which one was chosen.
func New(ctx context.Context, opts *Options) (cache.Storage, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	return choose(ctx, r, openEncrypted)
}

// choose opens the encrypted store, or the plaintext fallback when it is
// unavailable and allowed.
func choose(ctx context.Context, r resolved, encrypted func(context.Context, resolved) (cache.Storage, error)) (cache.Storage, error) {
	st, err := encrypted(ctx, r)
	if err == nil {
		return st, nil
	}
	if !errors.Is(err, cache.ErrKeyringUnavailable) && !errors.Is(err, cache.ErrKeyringLocked) && !errors.Is(err, cache.ErrUnsupported) {
		return nil, err
	}
	if !r.AllowUnencryptedStorage {
		return nil, &cache.Error{Op: "open", Path: r.path, Err: fmt.Errorf("%w: %w", cache.ErrEncryptionUnavailable, err)}
	}
	return cache.NewPlaintextFile(r.path, r.fileOptions())
}

// Encrypted reports whether s keeps the cache encrypted at rest: a Secret
// Service item, a DPAPI or keychain-keyed file (any sealed
// [cache.FileStorage]). A plaintext file, or a storage of another
// package, is not.
func Encrypted(s cache.Storage) bool {
	switch s := s.(type) {
	case *cache.FileStorage:
		return s.Sealed()
	case interface{ encryptedAtRest() bool }:
		return s.encryptedAtRest()
	}
	return false
}
