package persistent

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/entraauth/entraauth/cache"
)

// KeychainOptions configure [NewKeychainFile]. A nil *KeychainOptions
// means the defaults.
type KeychainOptions struct {
	// Service and Account name the keychain item ("generic password")
	// that holds the file's key; defaults "entraauth" and "MSALCacheKey".
	Service, Account string
	// File configures the encrypted file (lock bound, read bound).
	File *cache.FileOptions
}

func (o *KeychainOptions) withDefaults() (KeychainOptions, error) {
	var c KeychainOptions
	if o != nil {
		c = *o
	}
	if c.Service == "" {
		c.Service = "entraauth"
	}
	if c.Account == "" {
		c.Account = "MSALCacheKey"
	}
	for _, s := range []string{c.Service, c.Account} {
		if strings.ContainsAny(s, "\"\\\n\r\x00") {
			return c, &cache.Error{Op: "open", Err: fmt.Errorf("keychain service or account %q holds a quote, backslash or control character", s)}
		}
	}
	return c, nil
}

// keySource keeps the 32-byte file key somewhere safe (the macOS keychain).
type keySource interface {
	// loadKey returns the key, or errKeyNotFound.
	loadKey() ([]byte, error)
	// storeKey saves a new key.
	storeKey(key []byte) error
}

var errKeyNotFound = errors.New("key not found")

// sealedMagic starts every file sealed by aesCodec: format version 1,
// then a 12-byte nonce, then AES-256-GCM ciphertext and tag.
var sealedMagic = []byte("entraauth-aesgcm-1\n")

// aesCodec is a [cache.Sealer]: it encrypts the document with
// AES-256-GCM under a key from ks. The key is created on the first
// write, never on a read: a missing key with an existing file makes the
// file unreadable (cache.ErrCorrupt), and the next change then moves it
// aside instead of silently replacing it.
type aesCodec struct {
	ks keySource
}

func (c aesCodec) aead(create bool) (cipher.AEAD, error) {
	key, err := c.ks.loadKey()
	if errors.Is(err, errKeyNotFound) && create {
		key = make([]byte, 32)
		rand.Read(key) // never fails (crypto/rand, Go 1.24+)
		if err = c.ks.storeKey(key); err == nil {
			key, err = c.ks.loadKey() // what is stored is what we will read
		}
	}
	if err != nil {
		return nil, err
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: the stored key has %d bytes, want 32", cache.ErrCorrupt, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (c aesCodec) Seal(plain []byte) ([]byte, error) {
	g, err := c.aead(true)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, g.NonceSize())
	rand.Read(nonce)
	out := append(append([]byte{}, sealedMagic...), nonce...)
	return g.Seal(out, nonce, plain, sealedMagic), nil
}

func (c aesCodec) Open(sealed []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(sealed, sealedMagic)
	if !ok {
		return nil, errors.New("not a file sealed by this package")
	}
	g, err := c.aead(false)
	if errors.Is(err, errKeyNotFound) {
		return nil, errors.New("its key is missing from the keychain")
	}
	if err != nil {
		return nil, err
	}
	if len(rest) < g.NonceSize() {
		return nil, errors.New("truncated")
	}
	plain, err := g.Open(nil, rest[:g.NonceSize()], rest[g.NonceSize():], sealedMagic)
	if err != nil {
		return nil, errors.New("authentication failed (wrong key or altered file)")
	}
	return plain, nil
}

// The macOS security(1) tool is driven through "security -i" with the
// command on stdin, so the key never appears in a process listing; the key
// is stored hex-encoded (64 characters), well under that mode's 4 KiB
// line limit, which is why the document itself lives in a file.

// addKeyCommand is the stdin line that stores key for service/account,
// replacing an existing item (-U).
func addKeyCommand(service, account string, key []byte) string {
	return fmt.Sprintf("add-generic-password -U -s \"%s\" -a \"%s\" -w \"%s\"\n", service, account, hex.EncodeToString(key))
}

// parseKey decodes find-generic-password -w output.
func parseKey(out []byte) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, fmt.Errorf("%w: keychain item does not hold a hex key", cache.ErrCorrupt)
	}
	return key, nil
}

// classifySecurityError maps a failed security(1) run to package cache's
// errors: exit status 44 is errSecItemNotFound; "User interaction is not
// allowed" (errSecInteractionNotAllowed) means a locked keychain in a
// session without UI, such as SSH.
func classifySecurityError(exitCode int, stderr string) error {
	switch {
	case exitCode == 44 || strings.Contains(stderr, "could not be found"):
		return errKeyNotFound
	case strings.Contains(stderr, "User interaction is not allowed") || strings.Contains(stderr, "-25308"):
		return fmt.Errorf("%w: the login keychain is locked and cannot prompt here (an SSH session?); %s", cache.ErrKeyringLocked, plaintextHint)
	default:
		return fmt.Errorf("%w: security(1) exited %d: %s; %s", cache.ErrKeyringUnavailable, exitCode, strings.TrimSpace(stderr), plaintextHint)
	}
}
