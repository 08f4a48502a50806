// Package persistent keeps the token cache of package cache in this
// operating system's encrypted store, where the MSAL extensions and
// azure-identity keep theirs:
//
//   - [NewSecretService]: an item of the Linux Secret Service
//     (gnome-keyring, KWallet's bridge, KeePassXC), reached over D-Bus in
//     pure Go; its items are compatible with MSAL .NET's, MSAL Python's
//     and MSAL Go's extensions.
//   - [NewDPAPIFile]: a file encrypted with Windows DPAPI for the current
//     user, as the MSAL extensions and Azure CLI write it.
//   - [NewKeychainFile]: a file encrypted under a key kept in the macOS
//     login keychain, reached through security(1), without cgo.
//   - [New]: the named cache azure-identity keeps ([Options]: Name,
//     default "msal.cache"; AllowUnencryptedStorage, the explicit opt-in
//     to the plaintext fallback ~/.IdentityService/<Name>), so one
//     sign-in serves both; [Encrypted] tells whether it fell back.
//
// Each returns a cache.Storage for cache.New. A constructor for another
// operating system exists everywhere and fails with an error matching
// cache.ErrUnsupported. No store falls back to plaintext on its own: a
// missing or locked secret store is an error matching
// cache.ErrKeyringUnavailable or cache.ErrKeyringLocked that names the
// opt-in (cache.NewPlaintextFile). The errors stay in package cache, with
// every other storage error, so that code which only classifies them
// does not import this package.
//
// This package is apart from package cache because the Secret Service
// client links a D-Bus library: a program that keeps its tokens in memory
// or in a plain file imports cache alone and links none of it.
package persistent
