//go:build !linux && !windows

package broker

import "runtime"

// newBackend: no broker this package can drive on this OS. On macOS the
// broker is the Enterprise SSO extension (Intune Company Portal), which
// only answers applications that are signed, hold a keychain access group
// for the broker key and have a registered bundle-ID redirect URI; see
// README.md for what is built and what blocks the rest.
func newBackend(*Options) (backend, error) {
	if runtime.GOOS == "darwin" {
		return nil, unsupported("the macOS Enterprise SSO extension is not supported by this package (it needs a signed app with a keychain access group and a bundle-ID redirect URI)", nil)
	}
	return nil, unsupported("no authentication broker is known on "+runtime.GOOS, nil)
}
