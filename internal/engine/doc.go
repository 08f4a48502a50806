// Package engine is entraauth's protocol core and public-client engine
// for Microsoft Entra ID: authorities and clouds, endpoints, instance
// discovery, the token-endpoint client, ID-token validation, client_info
// and accounts, and the [Client] engine that every flow (device code,
// browser, broker, password) plugs its sign-in step into. It is internal:
// applications use a flow's credential and the types of package engine.
//
// # Authorities
//
// [ParseAuthority] accepts the public, US Government and China clouds
// (with their aliases) and the sovereign clouds login.sovcloud-identity.fr,
// .de and .sg, which need no discovery round trip; Microsoft Entra External
// ID (CIAM) tenants, https://{name}.ciamlogin.com with or without a tenant
// path, which need none either; and any https host, which is validated once
// per process through Entra's instance discovery unless
// [oauth.ClientOptions].DisableInstanceDiscovery is set (a failed discovery is an
// *Error naming that option, never a silent pass). Plain http is refused
// except for loopback hosts. [Authority.Endpoints] gives
// the authorize, token, device code, logout, OIDC discovery and key set
// URLs with no request.
//
// # The engine
//
// [Client.GetToken] serves a request from the cache when it can, with no
// network request at all; else it redeems the account's refresh token
// (its own or its family's); only then does it run the flow's
// [Interactive] step. Concurrent callers share one token request per
// request key, and a token due for renewal (refresh_on, or 5 minutes
// before expiry) is returned at once while one background refresh runs.
// A refresh token the authority refuses as dead (invalid_grant: revoked,
// expired, unused too long) is removed from the cache and its storage,
// so it is redeemed once, not on every call; one refused only for these
// scopes (MFA, consent, Conditional Access, a claims challenge) is kept.
//
// Access tokens are cached under the tenant segment of the authority
// they were requested from (as MSAL Python and Go do): "organizations"
// for a sign-in through it. Such a sign-in gets its tokens from the
// account's home tenant, so a request to that tenant (a credential built
// from the sign-in's AuthenticationRecord, which names the tenant ID)
// also finds them, and a request through "organizations" finds tokens
// stored under the home tenant: no request either way.
//
// When the cache's storage fails, the tokens stay in memory: GetToken
// returns its token and logs the failure, while [Client.Authenticate],
// the durable sign-in, returns the record with an error matching
// cache.ErrNotPersisted, since a later process could not use it.
//
// # Writing a flow
//
// A flow's credential embeds [oauth.ClientOptions] in its Options, makes a
// [Client] with [New], and passes its own [Interactive] step to
// [Client.GetToken] and [Client.Authenticate]. The step receives an
// [InteractiveRequest] (scopes with the OIDC scopes added, merged claims,
// tenant, endpoints, login hint) and usually ends with
// [Client.RedeemToken], which posts the grant, validates the ID token and
// returns a [*TokenResult]:
//
//	type Credential struct {
//		client *engine.Client
//		step   engine.Interactive // bind c.signIn once: a method value allocates per call
//	}
//
//	func (c *Credential) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
//		return c.client.GetToken(ctx, o, c.step)
//	}
//
// The step runs only when no cached or refreshable token serves the
// request; concurrent callers wait for one run. The password
// credential (package password) is a complete example.
//
// # Errors
//
// Everything the authority refuses, or answers in a way that cannot be
// understood, is an [*oauth.Error]; classify it with errors.Is against
// [oauth.ErrInteractionRequired], [oauth.ErrExpired], [oauth.ErrDeclined],
// [oauth.ErrInvalidResponse] and [oauth.ErrInvalidIDToken]. No error string and no log
// event carries a token, code, password or refresh token.
//
// # ID tokens and identity
//
// Every ID token is verified, which MSAL Go and azidentity do not do: an
// RS256 signature with a key of the authority's key set that is bound to
// the token's issuer (Entra publishes an issuer per key), at 2048 bits or
// more, for signatures; aud naming only this client (and azp this client,
// required when there are several audiences); iss equal to
// https://{host}/{tid}/v2.0 for the token's own tid, which must be the
// tenant asked for (a tenant given by domain name is resolved to its
// GUID); exp, nbf and iat within five minutes of skew; sub; and the nonce
// when one was sent. The key set is shared by the clients of a process,
// fetched while the user signs in or in parallel with the token request,
// and parsed lazily (only the key the token names), so verification adds
// no wait; an unknown kid refetches it once, at most every 30 seconds.
//
// The account is what the ID token says: a token response without one is
// refused, client_info must agree with its oid and tid, a refresh must
// return the same iss, sub, oid and tid, and a flow's result is checked
// the same way whatever it claims. A client bound to a user (an
// AuthenticationRecord, [Client.BindUser]) serves only that user's cached
// tokens; an unbound one serves the only account in the cache, read
// from the persistent storage before the choice (so a new process is
// silent) and chosen again after every sync. With several accounts and
// no record nothing is served silently: [*oauth.NoAccountError] names the
// credential and the count, and [oauth.RecordFromAccount] makes the record
// that picks one. Each such
// refusal is an [*oauth.Error] matching [oauth.ErrInvalidIDToken] or
// [oauth.ErrAccountMismatch], and nothing from the response is cached.
package engine
