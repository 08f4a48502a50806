package persistent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// openEncrypted opens azure-identity's Secret Service item for r.Name and
// probes it with one read.
func openEncrypted(ctx context.Context, r resolved) (cache.Storage, error) {
	ss, err := NewSecretService(&SecretServiceOptions{
		Schema:      r.Name,
		MatchSchema: true, // one item per cache name, as msal-extensions keeps them
		Attributes:  map[string]string{"MsalClientID": "Microsoft.Developer.IdentityService"},
		Label:       "MSALCache",
		RawPayload:  true, // msal-extensions stores the document as the secret
		BusAddress:  r.BusAddress,
		LockPath:    r.path + ".lockfile",
		LockTimeout: r.LockTimeout,
		MaxSize:     r.MaxSize,
	})
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := ss.Read(pctx); err != nil && !errors.Is(err, cache.ErrCorrupt) && !errors.Is(err, cache.ErrTooLarge) {
		return nil, err
	}
	return &signalled{SecretService: ss, signal: r.path}, nil
}

// signalled is a storage that touches a signal file after each write, as
// msal-extensions' Secret Service and keychain persistences do: their
// readers reload when its modification time changes.
type signalled struct {
	*SecretService
	signal string
}

func (s *signalled) Write(ctx context.Context, data []byte) error {
	if err := s.SecretService.Write(ctx, data); err != nil {
		return err
	}
	touch(s.signal)
	return nil
}

// touch creates path empty (0600, in a 0700 directory) or updates its
// modification time, never through a symbolic link; failures are ignored
// (the signal is an optimization of other readers).
func touch(path string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return
	}
	f.Close()
	now := time.Now()
	_ = os.Chtimes(path, now, now)
}
