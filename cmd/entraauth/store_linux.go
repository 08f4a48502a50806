package main

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/entraauth/entraauth/cache"
)

// openSecretStore returns the Secret Service (gnome-keyring, KWallet,
// KeePassXC) on the session bus, after checking that it answers. It never
// launches a bus: with DBUS_SESSION_BUS_ADDRESS unset (a headless machine,
// a container) there is no secret store.
func openSecretStore(ctx context.Context, s *session) (cache.Storage, error) {
	addr := envOr(s.io, "DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		return nil, errors.New("no D-Bus session bus")
	}
	st, err := cache.NewSecretService(&cache.SecretServiceOptions{
		Schema:     "entraauth.cache",
		Label:      "entraauth token cache (" + profileName(s) + ")",
		Attributes: map[string]string{"application": "entraauth", "profile": profileName(s)},
		BusAddress: addr,
		LockPath:   filepath.Join(s.dir, "secretservice.lockfile"),
	})
	if err != nil {
		return nil, err
	}
	return st, probe(ctx, st)
}
