// Package broker signs users in through the operating system's
// authentication broker, as azure-identity-broker's
// InteractiveBrowserBrokerCredential does, without cgo and without MSAL:
//
//   - Linux: the Microsoft identity broker (package microsoft-identity-broker,
//     also installed with Intune Company Portal), a D-Bus service on the
//     session bus, called with github.com/godbus/dbus/v5. Tested against a
//     fake broker (conformance/fakebroker) on a real private dbus-daemon.
//   - Windows: WAM through WinRT (combase.dll, raw vtables). It compiles and
//     vets for windows/amd64, arm64 and 386; it has not been run. The request
//     properties and the answer mapping are tested on every OS.
//   - macOS and other systems: [New] returns an error matching
//     [ErrUnsupported]; see README.md for what blocks the macOS broker.
//
// The broker owns the sign-in window and keeps the refresh tokens (and the
// device's primary refresh token): a [Credential] never sees or stores a
// refresh token, keeps access tokens in memory only, and verifies the ID
// tokens the broker returns against the authority's keys, as every flow of
// this module does, before it reports an account.
//
// Where there is no broker, fall back to another flow: see the example.
// The application's registration must list the broker's redirect URI
// ([RedirectURIWindows], [RedirectURILinux]).
package broker
