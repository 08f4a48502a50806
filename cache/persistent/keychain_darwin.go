package persistent

import (
	"errors"
	"os/exec"
	"strings"

	"github.com/entraauth/entraauth/cache"
)

// NewKeychainFile returns a storage that keeps the cache in the file at
// path, encrypted with AES-256-GCM under a random key held in the user's
// login keychain (a generic password named by opts), without cgo: the key
// is read and written with /usr/bin/security, fed on stdin. The document
// is not in the keychain itself because security(1) cannot carry more
// than 4 KiB that way. Other MSAL libraries therefore cannot read this
// file. A locked keychain in a session that cannot prompt (SSH) fails
// with cache.ErrKeyringLocked; there is no fallback.
func NewKeychainFile(path string, opts *KeychainOptions) (*cache.FileStorage, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return cache.NewSealedFile(path, aesCodec{securityCLI{o.Service, o.Account}}, o.File)
}

type securityCLI struct{ service, account string }

// findKeyArgs are the arguments that print the stored key.
func findKeyArgs(service, account string) []string {
	return []string{"find-generic-password", "-s", service, "-a", account, "-w"}
}

const securityPath = "/usr/bin/security"

func (s securityCLI) loadKey() ([]byte, error) {
	cmd := exec.Command(securityPath, findKeyArgs(s.service, s.account)...)
	// security prints a 64-character key, or a line of error.
	stdout, stderr := &cappedBuffer{max: 4 << 10}, &cappedBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return nil, securityError(err, stderr.String())
	}
	return parseKey(stdout.buf.Bytes())
}

func (s securityCLI) storeKey(key []byte) error {
	cmd := exec.Command(securityPath, "-i")
	cmd.Stdin = strings.NewReader(addKeyCommand(s.service, s.account, key))
	stderr := &cappedBuffer{max: 4 << 10}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return securityError(err, stderr.String())
	}
	return nil
}

func securityError(err error, stderr string) error {
	code := -1
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	}
	return classifySecurityError(code, stderr+" "+err.Error())
}
