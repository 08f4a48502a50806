package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxSize bounds how much of a stored document is read: 64 MiB,
// some 15,000 accounts' worth of tokens.
const DefaultMaxSize = 64 << 20

// FileOptions configure a file storage. A nil *FileOptions means the
// defaults.
type FileOptions struct {
	// LockTimeout bounds the wait for "<path>.lockfile"; 0 means
	// DefaultLockTimeout.
	LockTimeout time.Duration
	// MaxSize bounds the read; 0 means DefaultMaxSize. A larger file is
	// refused with ErrTooLarge and left as it is.
	MaxSize int64
}

// Sealer encrypts the document at rest for [NewSealedFile]: DPAPI and a
// keychain-held key in package cache/persistent, or a key of the
// caller's own (a KMS, a hardware token). Seal and Open are called under
// the storage's lock, once per write and per read.
type Sealer interface {
	// Seal returns the bytes to store for plain.
	Seal(plain []byte) ([]byte, error)
	// Open returns the document sealed in sealed. An error matching
	// ErrKeyringLocked or ErrKeyringUnavailable means the key is out of
	// reach and the file is kept as it is; any other error makes the
	// file corrupt (ErrCorrupt), and the next change moves it aside.
	Open(sealed []byte) ([]byte, error)
}

// FileStorage is a [Storage] in one file, written atomically (a temp file
// in the same directory, fsync, rename, fsync of the directory), created
// with mode 0600 in a directory created 0700, locked through
// "<path>.lockfile". It refuses a path that is a symlink, a directory or
// another non-regular file, or (on Unix) a file readable by group or
// others, with ErrUnsafeFile, and never follows or replaces such a path.
type FileStorage struct {
	path    string
	timeout time.Duration
	maxSize int64
	sealer  Sealer
}

var (
	_ Storage     = (*FileStorage)(nil)
	_ Quarantiner = (*FileStorage)(nil)
	_ Versioner   = (*FileStorage)(nil)
)

// NewPlaintextFile returns a storage that keeps the cache UNENCRYPTED in
// the file at path: anyone who can read the file as this user can use the
// refresh tokens in it. Use it only by explicit choice (a headless host
// with no secret store, a test); prefer the operating system's encrypted
// stores in package cache/persistent. Azure CLI's plaintext cache is
// ~/.azure/msal_token_cache.json.
func NewPlaintextFile(path string, opts *FileOptions) (*FileStorage, error) {
	return newFileStorage(path, opts, nil)
}

// NewSealedFile returns a storage that keeps the cache in the file at
// path as s seals it; everything else is as for [NewPlaintextFile]: lock
// file, atomic replace, refusals, quarantine of a file s cannot open.
// An empty file reads as an empty document, without Open.
func NewSealedFile(path string, s Sealer, opts *FileOptions) (*FileStorage, error) {
	if s == nil {
		return nil, &Error{Op: "open", Path: path, Err: errors.New("no sealer")}
	}
	return newFileStorage(path, opts, s)
}

func newFileStorage(path string, opts *FileOptions, c Sealer) (*FileStorage, error) {
	if path == "" {
		return nil, &Error{Op: "open", Err: errors.New("empty path")}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{Op: "open", Path: path, Err: err}
	}
	s := &FileStorage{path: abs, timeout: DefaultLockTimeout, maxSize: DefaultMaxSize, sealer: c}
	if opts != nil {
		if opts.LockTimeout > 0 {
			s.timeout = opts.LockTimeout
		}
		if opts.MaxSize > 0 {
			s.maxSize = opts.MaxSize
		}
	}
	return s, nil
}

// Path returns the absolute path of the cache file.
func (s *FileStorage) Path() string { return s.path }

// Sealed reports whether the file is encrypted at rest: made by
// [NewSealedFile], not [NewPlaintextFile].
func (s *FileStorage) Sealed() bool { return s.sealer != nil }

// Lock takes "<path>.lockfile".
func (s *FileStorage) Lock(ctx context.Context) (func() error, error) {
	return LockFile(ctx, s.path+".lockfile", s.timeout)
}

// Read returns the file's contents (decrypted), or nil when there is no
// file yet.
func (s *FileStorage) Read(ctx context.Context) ([]byte, error) {
	data, err := readSafe(s.path, s.maxSize)
	if err != nil || data == nil {
		return nil, err
	}
	if s.sealer == nil || len(data) == 0 {
		return data, nil
	}
	plain, err := s.sealer.Open(data)
	if errors.Is(err, ErrKeyringLocked) || errors.Is(err, ErrKeyringUnavailable) {
		return nil, &Error{Op: "read", Path: s.path, Err: err} // the key is out of reach, the file is fine
	}
	if err != nil {
		return nil, &Error{Op: "read", Path: s.path, Err: fmt.Errorf("%w: cannot decrypt: %w", ErrCorrupt, err)}
	}
	return plain, nil
}

// readSafe reads the file at path, at most max bytes, refusing what
// checkSafe refuses and a file swapped while it was opened; nil and no
// error when there is no file.
func readSafe(path string, max int64) ([]byte, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Op: "read", Path: path, Err: err}
	}
	if err := checkSafe(fi); err != nil {
		return nil, &Error{Op: "read", Path: path, Err: err}
	}
	f, err := openNoFollow(path)
	if err != nil {
		return nil, &Error{Op: "read", Path: path, Err: err}
	}
	defer f.Close()
	if ofi, err := f.Stat(); err != nil || !os.SameFile(fi, ofi) {
		return nil, &Error{Op: "read", Path: path, Err: fmt.Errorf("%w: file replaced while opening", ErrUnsafeFile)}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &Error{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > max {
		return nil, &Error{Op: "read", Path: path, Err: fmt.Errorf("%w: over %d bytes", ErrTooLarge, max)}
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// Write replaces the file atomically.
func (s *FileStorage) Write(ctx context.Context, data []byte) error {
	if s.sealer != nil {
		sealed, err := s.sealer.Seal(data)
		if err != nil {
			return &Error{Op: "write", Path: s.path, Err: err}
		}
		data = sealed
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &Error{Op: "write", Path: s.path, Err: err}
	}
	if fi, err := os.Lstat(s.path); err == nil {
		if err := checkSafe(fi); err != nil {
			return &Error{Op: "write", Path: s.path, Err: err}
		}
	}
	removeStaleTemps(s.path)
	if err := writeAtomic(s.path, data, true); err != nil {
		return &Error{Op: "write", Path: s.path, Err: err}
	}
	return nil
}

// removeStaleTemps deletes temp files a writer left when it died between
// creating and renaming one. Write runs under the lock, and every writer
// holds it from creating its temp file to renaming it, so any temp file
// seen here is a dead writer's.
func removeStaleTemps(path string) {
	stale, _ := filepath.Glob(globEscape(path) + ".tmp-*")
	for _, f := range stale {
		if fi, err := os.Lstat(f); err == nil && fi.Mode().IsRegular() {
			os.Remove(f)
		}
	}
}

// globEscape quotes the glob metacharacters of a path.
func globEscape(p string) string {
	r := strings.NewReplacer("\\", "\\\\", "*", "\\*", "?", "\\?", "[", "\\[")
	if filepath.Separator == '\\' {
		r = strings.NewReplacer("*", "[*]", "?", "[?]", "[", "[[]")
	}
	return r.Replace(p)
}

// writeAtomic replaces path with data through a temp file in the same
// directory and a rename, so a reader sees the old file or the new one.
// durable also fsyncs the file before the rename and the directory after
// it, so that a crash cannot leave an empty or partial file in path's
// place, nor lose the new version: a token cache needs that; a file that
// only saves a download (the key set) does not, and skips two fsyncs
// (milliseconds each on some disks).
func writeAtomic(path string, data []byte, durable bool) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if durable {
		if err = tmp.Sync(); err != nil {
			return err
		}
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if durable {
		syncDir(dir)
	}
	return nil
}

// Quarantine renames the file to "<path>.corrupt-<unix nanoseconds>".
func (s *FileStorage) Quarantine(ctx context.Context) (string, error) {
	to := s.path + ".corrupt-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	if err := os.Rename(s.path, to); err != nil {
		return "", &Error{Op: "quarantine", Path: s.path, Err: err}
	}
	return to, nil
}

// Version returns the file's size and modification time, "" when absent.
func (s *FileStorage) Version(ctx context.Context) (string, error) {
	fi, err := os.Lstat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d/%d/%s", fi.Size(), fi.ModTime().UnixNano(), fileID(fi)), nil
}

// checkSafe refuses anything but a regular file private to its owner,
// and (on Unix) one owned by another user: whoever owns it could have
// planted its tokens, as for the lock file.
func checkSafe(fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%w: it is a symbolic link", ErrUnsafeFile)
	case fi.IsDir():
		return fmt.Errorf("%w: it is a directory", ErrUnsafeFile)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%w: not a regular file (%v)", ErrUnsafeFile, fi.Mode().Type())
	case checkPerm && fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%w: mode %#o lets group or others read it; run chmod 600 on it", ErrUnsafeFile, fi.Mode().Perm())
	}
	return checkOwner(fi)
}
