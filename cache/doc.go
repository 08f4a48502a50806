// Package cache is entraauth's token cache: the access, refresh and ID
// tokens, accounts and app metadata that let a user sign in once.
//
// # Schema
//
// Entries use MSAL's unified cache schema (sections "AccessToken",
// "RefreshToken", "IdToken", "Account", "AppMetadata"; lower-cased keys;
// timestamps as strings of unix seconds), so a document written by Azure
// CLI (msal_token_cache.json), MSAL Python or MSAL Go loads here and ours
// loads there. Unknown sections and fields are kept and written back.
//
// # Index
//
// A [Cache] keeps every entry in memory behind map indexes, so lookups
// cost O(1) in the number of entries. The engine builds an
// [AccessTokenKey] once per distinct request with [NewAccessTokenKey] and
// calls [Cache.AccessToken] with it: on a warm cache that is one map
// access in an immutable index published through an atomic pointer (no
// lock, no write to shared memory, no allocation), so parallel callers
// scale with the cores. A lookup that misses the exact key reads an index
// by scope and resource of the account's tokens for that realm and
// client, never a scan of them. The cache canonicalizes
// scopes itself ([ScopeKey]: lower-cased, sorted, deduplicated, without
// openid/profile/offline_access) and environments
// ([CanonicalEnvironment]: login.windows.net and its other aliases index
// as login.microsoftonline.com); callers never sort anything.
//
//	key := cache.NewAccessTokenKey(homeID, "login.microsoftonline.com", tenant, clientID, scopes, "", cae)
//	if at, ok := c.AccessToken(key); ok && time.Until(at.ExpiresOn) > 5*time.Minute {
//		return at.Secret
//	}
//	_ = c.Sync(ctx) // pick up other processes' tokens (and rotated refresh tokens)
//	for _, rt := range c.RefreshTokens(homeID, env, clientID) { // newest first
//		// redeem rt.Secret; on invalid_grant try the next
//	}
//
// # Refresh tokens shared with other writers
//
// MSAL Python keeps one refresh-token entry per scope set
// ("<home>-<env>-refreshtoken-<client>--<target>", with target and
// last_modification_time), MSAL .NET one per client or family
// ("...-refreshtoken-<client or family>--"), MSAL Go
// "...-refreshtoken-<client or family>"; a writer that rotates a token
// updates its own entry and leaves the others holding superseded ones.
// This package deletes no other writer's entry, writes MSAL .NET's form
// (which MSAL Python also updates in place) plus the family entry when
// the token has a family_id, stamps last_modification_time, and
// [Cache.RefreshTokens] lists an account's tokens newest first (by
// last_modification_time, else the one this process stored or saw appear
// last), so the engine redeems the newest and falls back to the others.
// A refresh token the authority refuses as dead (invalid_grant: revoked,
// expired, redeemed) is deleted with [Cache.RemoveRefreshToken], naming
// its secret, so it is not redeemed again; a newer token that another
// process stored meanwhile is kept.
//
// After a token response the engine stores everything in one call with
// [Cache.Write] and an [Update]; its RequestedScopes make the exact-key
// lookup hit even when Entra grants other scopes than were asked for
// (".default" becomes "user_impersonation"). Expired access tokens are
// never returned and are evicted by changes. [Cache.AccessTokenAt] takes
// the caller's clock reading, for an engine that reads it anyway.
//
// # Concurrency
//
// A Cache is safe for concurrent use: access-token lookups take no lock;
// other lookups share a read lock; changes and syncs are serialized and
// publish a new index (copy-on-write) when they are done. Values returned are copies. Between processes,
// every change is lock, reload, apply, write, unlock; lookups never touch
// the storage, so a process sees another's tokens after its next
// [Cache.Sync] or change. [Cache.Merge] imports a whole document (another
// application's cache file, or MSAL's Export when MSAL Go uses this cache
// through its ExportReplace interface).
//
// # Persistence
//
// [New] takes a [Storage] (nil for memory only). Every change takes the
// storage's cross-process lock, reloads the stored document, applies the
// change to it and writes it back, so processes sharing a cache never lose
// each other's tokens. A change that could not be persisted (lock, read
// or write failed) stays in memory and its error matches
// [ErrNotPersisted]. The storages of this package:
//
//   - [NewPlaintextFile]: an unencrypted file, only by explicit opt-in;
//     mode 0600, symlinks and group- or world-readable files refused,
//     atomic replace (temp file, fsync, rename).
//   - [NewSealedFile]: the same file, encrypted by a [Sealer] (a key of
//     the caller's own).
//
// The operating systems' encrypted stores are in package
// [github.com/entraauth/entraauth/cache/persistent]: the Linux Secret
// Service over D-Bus, DPAPI files on Windows, keychain-keyed files on
// macOS, and persistent.New, which opens the named cache azure-identity
// keeps ("msal.cache" under ~/.IdentityService by default) so one sign-in
// serves both. They live apart so that a program that never persists
// tokens, or persists them in a plain file, does not link a D-Bus
// client. Their errors are declared here with the others
// ([ErrKeyringUnavailable], [ErrKeyringLocked], [ErrUnsupported],
// [ErrEncryptionUnavailable]), so code that only classifies a storage's
// error needs this package alone. A [Storage] of your own can share the
// MSAL lock file through [LockFile] and keep key sets in a [KeySetFile].
//
// No storage falls back to plaintext on its own: a missing or locked
// secret store is an error ([ErrKeyringUnavailable], [ErrKeyringLocked])
// naming the opt-in. The lock file is "<cache>.lockfile", the MSAL
// convention: held by whoever created it (O_EXCL, as msal-extensions for
// Python does) and holds its flock (LockFileEx on Windows), deleted on
// release, waited for at most a bounded time ([ErrLockTimeout]); one left
// by a dead process, or not written for 5 s, is taken over, never one a
// live process has just created; a lock file that is a symbolic link, a
// hard link, not a regular file or another user's is refused
// ([ErrUnsafeFile]). A stored
// document that is not a JSON object is never overwritten: reads report
// [ErrCorrupt]; a change moves it aside (kept for the user, the error
// names where) and starts a new one. An entry this package cannot read
// (not an object, a field of the wrong type) costs nothing else: it is
// skipped, logged once, and written back verbatim.
//
// # Key sets
//
// Storages that implement [KeySetStore] also keep the authority's public
// signing keys (its JWKS, RFC 7517), so a new process that refreshes a
// token verifies the ID token without fetching them: one request instead
// of two. Keys are public, so they are kept in a plain file even beside an
// encrypted cache: "<cache file>.keys.json" for the file storages
// (plaintext, sealed: DPAPI, keychain), "<lock file without
// .lockfile>.keys.json" for the Secret Service. The file is mode 0600, replaced atomically,
// read with a 1 MiB bound and the cache file's refusals; each key set
// records the authority and jwks_uri it was fetched for and when
// ([Cache.StoredKeySet] returns it only for both, and under
// [KeySetMaxAge]). A missing, unsafe or corrupt file means a fetch, never
// an error; the engine still fetches on a kid the stored set lacks.
package cache
