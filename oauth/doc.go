// Package oauth is what an application meets when it uses one of
// entraauth's credentials (packages devicecode, loopback, broker,
// azurecli, auto, sshcert, password): the [Credential] and
// [Authenticator] interfaces, [ClientOptions] that every flow's Options
// embeds, [TokenOptions] and the [AccessToken] they return, the
// [AuthenticationRecord] that names a signed-in account ([Account],
// [RecordFromAccount]), [Chain] to try credentials in turn, [TokenSource]
// for golang.org/x/oauth2, and the errors to branch on.
//
// # Errors
//
// Everything the authority refuses, or answers in a way that cannot be
// understood, is an [*Error]; classify it with errors.Is against
// [ErrInteractionRequired], [ErrExpired], [ErrDeclined],
// [ErrInvalidResponse] and [ErrInvalidIDToken], and test for a
// credential that cannot run here with [IsCredentialUnavailable]. No
// error string and no log event carries a token, code, password or
// refresh token, and every text a server chose is cleaned for a terminal.
//
// # Silent sign-in
//
// GetToken serves a request from the cache when it can, with no network
// request at all; else it redeems the account's refresh token; only then
// does it run the credential's interactive step (or, with
// [ClientOptions].DisableAutomaticAuthentication, return an
// [*AuthenticationRequiredError]). A credential bound to a user (an
// [AuthenticationRecord]) serves only that user's cached tokens; an
// unbound one serves the only account in the cache. With several
// accounts and no record nothing is served silently: [*NoAccountError]
// names the credential and the count, and [RecordFromAccount] makes the
// record that picks one. Every ID token is verified (signature, issuer,
// audience, lifetime, nonce) before its account is trusted.
package oauth
