package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/cache/persistent"
)

// openSecretStore returns the Secret Service (gnome-keyring, KWallet,
// KeePassXC) on the session bus, after checking that it can be read and
// written. It never launches a bus: with DBUS_SESSION_BUS_ADDRESS unset
// (a headless machine, a container) there is no secret store.
func openSecretStore(ctx context.Context, s *session) (cache.Storage, storeInfo, *storeError) {
	addr := envOr(s.io, "DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		return nil, storeInfo{}, &storeError{reason: "no D-Bus session bus"}
	}
	st, err := persistent.NewSecretService(&persistent.SecretServiceOptions{
		Schema:     "entraauth.cache",
		Label:      "entraauth token cache (" + profileName(s.opts.fake) + ")",
		Attributes: map[string]string{"application": "entraauth", "profile": profileName(s.opts.fake)},
		BusAddress: addr,
		LockPath:   filepath.Join(s.dir, "secretservice.lockfile"),
	})
	if err == nil {
		err = probe(ctx, st)
	}
	if err != nil {
		return nil, storeInfo{}, secretServiceError(err)
	}
	return st, storeInfo{where: "the Secret Service (your login keyring)", encrypted: true}, nil
}

// secretServiceError says why the Secret Service cannot be used and what
// to run.
func secretServiceError(err error) *storeError {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "no default collection"):
		return &storeError{reason: "the Secret Service has no default keyring",
			fix: "; create one (in Seahorse: File > New > Password Keyring, then set it as default), or unlock one with `gnome-keyring-daemon --unlock`"}
	case errors.Is(err, cache.ErrKeyringLocked):
		return &storeError{reason: "the Secret Service's keyring is locked",
			fix: "; unlock it (log in to the desktop, or `echo -n PASSWORD | gnome-keyring-daemon --unlock`)"}
	case strings.Contains(msg, "ServiceUnknown") || strings.Contains(msg, "was not provided by any .service"):
		return &storeError{reason: "no Secret Service answers on the session bus",
			fix: "; start one (`gnome-keyring-daemon --start --components=secrets`)"}
	}
	return &storeError{reason: storeReason(err)}
}
