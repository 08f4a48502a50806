package cache

import (
	"context"
	"errors"
	"fmt"
)

// Storage persists one serialized cache document. Implementations in this
// package: [NewPlaintextFile] (explicit opt-in) and [NewSealedFile]
// (encrypted under a [Sealer]); the operating systems' encrypted stores
// (Secret Service, DPAPI, keychain) are in package cache/persistent. A
// Storage is used by one [Cache] at a time, which serializes its calls;
// other processes are kept out by Lock.
type Storage interface {
	// Lock takes the cross-process lock and returns the function that
	// releases it. It waits at most until ctx is done or the storage's
	// own bound passes, then fails with an error matching ErrLockTimeout.
	Lock(ctx context.Context) (release func() error, err error)
	// Read returns the stored document, or nil and no error when nothing
	// is stored yet. The Cache calls it only while holding the lock.
	Read(ctx context.Context) ([]byte, error)
	// Write replaces the stored document, atomically where the medium
	// allows. The Cache calls it only while holding the lock.
	Write(ctx context.Context, data []byte) error
}

// Quarantiner is implemented by storages that can move an unreadable
// document aside, keeping it for the user, so that a new one can be
// started. Without it the Cache refuses to overwrite a corrupt document.
type Quarantiner interface {
	// Quarantine moves the stored document aside and says where it went.
	Quarantine(ctx context.Context) (where string, err error)
}

// Versioner is implemented by storages that can tell cheaply whether the
// document changed (a file's size, modification time and inode), so
// [Cache.Sync] skips the read when nothing changed.
type Versioner interface {
	// Version returns a string that changes whenever the document does;
	// "" when nothing is stored.
	Version(ctx context.Context) (string, error)
}

// Errors that storages and the cache wrap; test with errors.Is. They are
// all declared here, those only the encrypted stores of package
// cache/persistent return included, so that code which classifies a
// storage's error needs this package only (and links no D-Bus client).
var (
	// ErrCorrupt: the stored document is not a cache document.
	ErrCorrupt = errors.New("cache: corrupt cache document")
	// ErrTooLarge: the stored document exceeds the read bound.
	ErrTooLarge = errors.New("cache: cache document too large")
	// ErrUnsafeFile: the path is a symlink, a directory or another
	// non-regular file, or is readable by group or others.
	ErrUnsafeFile = errors.New("cache: refusing unsafe cache file")
	// ErrLockTimeout: the cross-process lock was not acquired in time.
	ErrLockTimeout = errors.New("cache: timed out waiting for the cache lock")
	// ErrKeyringUnavailable: no Secret Service (or keychain) answered, or
	// it has no usable collection.
	ErrKeyringUnavailable = errors.New("cache: secret store unavailable")
	// ErrKeyringLocked: the secret store is locked and could not be
	// unlocked without a prompt.
	ErrKeyringLocked = errors.New("cache: secret store locked")
	// ErrUnsupported: the storage does not exist on this operating system.
	ErrUnsupported = errors.New("cache: storage not supported on this platform")
	// ErrEncryptionUnavailable: no encrypted store can be used on this
	// host and the caller did not allow unencrypted storage (the
	// AllowUnencryptedStorage option of package cache/persistent). The
	// error also matches the store's own (ErrKeyringUnavailable,
	// ErrKeyringLocked, ErrUnsupported).
	ErrEncryptionUnavailable = errors.New("cache: no encrypted storage here, and unencrypted storage was not allowed (persistent.Options.AllowUnencryptedStorage)")
	// ErrNotPersisted: a change ([Cache.Write], [Cache.RemoveAccount],
	// [Cache.RemoveRefreshToken], [Cache.Merge]) was applied in memory but
	// not written to the storage (lock, read or write failed). The error
	// also matches the storage's own error.
	ErrNotPersisted = errors.New("cache: change kept in memory only, not persisted")
)

// Error is the error type of this package's storages and cache loads:
// what failed, on which path or item, and why (Err wraps one of the Err*
// values above or the system error).
type Error struct {
	Op   string // "lock", "read", "write", "parse", "quarantine", "open"
	Path string // file, lock file or Secret Service item; may be ""
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("cache: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("cache: %s %s: %v", e.Op, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
