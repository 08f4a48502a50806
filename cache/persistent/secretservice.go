package persistent

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// SecretServiceOptions configure [NewSecretService]. A nil
// *SecretServiceOptions means the defaults, which match the item that
// MSAL .NET's extensions and Azure.Identity write (and that
// azidentity-based tools share): schema "msal.cache", label "MSALCache",
// attributes MsalClientID=Microsoft.Developer.IdentityService and
// Microsoft.Developer.IdentityService=1.0.0.0, base64 payload.
type SecretServiceOptions struct {
	// Schema is written as libsecret's "xdg:schema" attribute. Searches
	// ignore it (libsecret's SECRET_SCHEMA_DONT_MATCH_NAME semantics), so
	// items written by either flavour of MSAL extension are found, unless
	// MatchSchema is set.
	Schema string
	// MatchSchema makes searches match Schema too, as libsecret does for
	// a schema without SECRET_SCHEMA_DONT_MATCH_NAME (msal-extensions'
	// LibsecretPersistence creates its schema so): items that differ only
	// by schema, such as azure-identity's named caches, stay apart.
	MatchSchema bool
	// Attributes identify the item. Azure CLI uses {"type": "Token cache"}
	// with Schema "Microsoft Azure CLI" and RawPayload.
	Attributes map[string]string
	// Label is the item's display name.
	Label string
	// RawPayload stores the JSON document itself, as MSAL Python does;
	// by default it is base64-encoded, as MSAL .NET and MSAL Go's
	// extension do. Reads accept both.
	RawPayload bool
	// AllowPrompt lets a locked collection ask the desktop to unlock it
	// (a password dialog), waiting until ctx ends. Off by default: a
	// locked collection is then cache.ErrKeyringLocked at once.
	AllowPrompt bool
	// BusAddress is the D-Bus session bus address; "" means
	// $DBUS_SESSION_BUS_ADDRESS. The store never launches a bus.
	BusAddress string
	// LockPath is the cross-process lock file; "" means
	// "<user cache dir>/entraauth/<Schema>.lockfile".
	LockPath string
	// LockTimeout bounds the wait for LockPath; 0 means cache.DefaultLockTimeout.
	LockTimeout time.Duration
	// MaxSize bounds the secret read; 0 means cache.DefaultMaxSize.
	MaxSize int64
}

// withDefaults returns a completed copy of o.
func (o *SecretServiceOptions) withDefaults() (SecretServiceOptions, error) {
	var c SecretServiceOptions
	if o != nil {
		c = *o
	}
	if c.Schema == "" {
		c.Schema = "msal.cache"
	}
	if c.Label == "" {
		c.Label = "MSALCache"
	}
	if len(c.Attributes) == 0 {
		c.Attributes = map[string]string{
			"MsalClientID":                        "Microsoft.Developer.IdentityService",
			"Microsoft.Developer.IdentityService": "1.0.0.0",
		}
	} else {
		c.Attributes = maps.Clone(c.Attributes)
	}
	if c.BusAddress == "" {
		c.BusAddress = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	}
	if c.LockPath == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return c, &cache.Error{Op: "open", Err: fmt.Errorf("no lock path and no user cache dir: %w", err)}
		}
		c.LockPath = filepath.Join(dir, "entraauth", filepath.Base(c.Schema)+".lockfile")
	}
	if c.LockTimeout <= 0 {
		c.LockTimeout = cache.DefaultLockTimeout
	}
	if c.MaxSize <= 0 {
		c.MaxSize = cache.DefaultMaxSize
	}
	return c, nil
}

// encryptedAtRest marks a Secret Service storage for [Encrypted].
func (*SecretService) encryptedAtRest() bool { return true }

// encodePayload and decodePayload convert between the document and the
// stored secret.
func encodePayload(doc []byte, raw bool) []byte {
	if raw {
		return doc
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(doc)))
	base64.StdEncoding.Encode(out, doc)
	return out
}

// decodePayload accepts the raw JSON document (MSAL Python, Azure CLI)
// and its base64 form (MSAL .NET, MSAL Go's extension).
func decodePayload(secret []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(secret)
	if len(trimmed) == 0 || trimmed[0] == '{' {
		return secret, nil
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(trimmed)))
	n, err := base64.StdEncoding.Decode(out, trimmed)
	if err != nil {
		return nil, fmt.Errorf("%w: secret is neither JSON nor base64", cache.ErrCorrupt)
	}
	return out[:n], nil
}
