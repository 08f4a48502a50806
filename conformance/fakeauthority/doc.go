// Package fakeauthority is a fake Microsoft Entra ID authority for tests
// and CI. It speaks Entra's v2.0 dialect closely enough that real MSAL Go
// signs in against it unchanged (the interop/msalgo module proves it on
// every run), and it is strict where Entra is strict: PKCE S256, single-use
// codes bound to client and redirect URI, registered redirect URIs,
// public-client flows, one resource per token request.
//
// # Two ways to run it
//
// In memory, for almost every test: [New] returns an [Authority] whose
// [Authority.Client] is an *http.Client that calls the handler in-process.
// It answers for any host, so the client can be configured with
// https://login.microsoftonline.com (a known cloud, so MSAL-shaped clients
// skip instance discovery) and no request leaves the process. It starts no
// goroutine and opens no socket, so it works inside testing/synctest, where
// [Options].Now defaults to the bubble's fake clock:
//
//	fa := fakeauthority.New(nil)
//	cred, _ := mylib.New(fakeauthority.AzureCLIClientID, &mylib.Options{
//		AuthorityHost: fa.URL(),          // https://login.microsoftonline.com
//		HTTPClient:    fa.Client(),
//	})
//
// On a TLS socket, where the socket matters (real MSAL, a browser, a
// separate process): [Start] takes anything with Helper, Cleanup and Fatalf
// (*testing.T) and closes the socket when the test ends; [Listen] and
// [ListenAndServe] are for programs. The certificate is self-signed and made
// at start; [Authority.CertPool], [Authority.CertPEM] and
// [Authority.TLSClient] give the trust. [Authority.URL] is
// https://127.0.0.1:PORT. The package imports neither testing nor
// net/http/httptest, so a command-line tool can embed it.
//
//	fa := fakeauthority.Start(t, nil)
//	app, _ := public.New(fakeauthority.AzureCLIClientID,
//		public.WithAuthority(fa.AuthorityURL(fakeauthority.DefaultTenantID)),
//		public.WithHTTPClient(fa.TLSClient()),
//		public.WithInstanceDiscovery(false)) // 127.0.0.1 is not a known Entra host
//
// Issuers and endpoint URLs follow the host and scheme each request came to,
// unless [Options].Host fixes them. A request to a CIAM host such as
// [CIAMHost] (https://contoso.ciamlogin.com) gets External ID's issuer,
// https://{tenantid}.ciamlogin.com/{tenantid}/v2.0.
//
// # Pointing your own program at it
//
// In memory (Example_yourProgram): AuthorityHost [Authority.URL] and
// HTTPClient [Authority.Client] in the library's ClientOptions; nothing
// else changes. On a socket, in-process ([Start], [Listen]) or as the
// `entraauth fake-authority --cert-file FILE` process: the authority host
// (ClientOptions.AuthorityHost or AZURE_AUTHORITY_HOST), trust in the
// certificate (HTTPClient [Authority.TLSClient], a CertPool from
// [Authority.CertPEM] or the --cert-file, or SSL_CERT_FILE where Go reads
// it: Linux and the BSDs), and ClientOptions.DisableInstanceDiscovery,
// because Entra's instance discovery does not know 127.0.0.1.
//
// # The default directory
//
// With zero setup ([DefaultDirectory]): tenant [DefaultTenantID]
// ([DefaultTenantDomain]) with users [DefaultUsername] (managed),
// [MFAUsername] (password grant answers AADSTS50076 with a claims
// challenge) and [FederatedUsername] (user realm says Federated; no
// password grant); tenant [SecondTenantID] with [SecondTenantUsername];
// every password is [DefaultPassword]. Public clients [AzureCLIClientID] and
// [AzurePowerShellClientID] (family "1": their refresh tokens are family
// refresh tokens) and [NonFamilyClientID], all with redirect URIs
// http://localhost, http://127.0.0.1 (any port) and the native-client URI
// and the permissions [DefaultPermissions] (user_impersonation on Azure
// Resource Manager, Key Vault and Storage, User.Read on Graph);
// [WebClientID] has public-client flows off. Resources: Microsoft Graph
// (bare scopes such as "User.Read" mean Graph), https://management.azure.com,
// https://management.core.windows.net/, https://vault.azure.net,
// https://storage.azure.com and api://entraauth-test. Add more with the
// [Directory] methods, before or while the authority runs.
//
// # Endpoints
//
// Paths are Entra's; {tenant} is common, organizations, consumers, a tenant
// ID or a verified domain:
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration   issuer https://host/{tenantid}/v2.0 for common/organizations
//	GET  /{tenant}/discovery/v2.0/keys                      JWKS (kty, use, kid, x5t, n, e, x5c, alg, issuer)
//	GET  /common/discovery/instance                         aliases include the authority's own host
//	GET  /common/userrealm/{username}                       Managed, Federated or Unknown
//	GET  /{tenant}/oauth2/v2.0/authorize                    the sign-in page, or auto-approve
//	POST /{tenant}/login                                    the sign-in form's target
//	POST /{tenant}/oauth2/v2.0/token                        authorization_code, refresh_token, password, device_code (both spellings)
//	POST /{tenant}/oauth2/v2.0/devicecode                   user_code, device_code, verification_uri, expires_in, interval, message
//	GET  /devicelogin                                       where a user types the user code
//	GET  /{tenant}/oauth2/v2.0/logout                       ends the session, redirects to a registered post_logout_redirect_uri
//	GET  /error?code={AADSTS number}                        the page error_uri points at
//
// Token responses carry token_type, scope (the granted set, as Entra
// answers it: the requested permissions, and for "<resource>/.default" the
// app's configured permissions on the resource followed by the .default
// scope, e.g. "https://management.core.windows.net//user_impersonation
// https://management.core.windows.net//.default"; OIDC scopes are not
// echoed), expires_in and ext_expires_in (equal; a random 3600-5400
// seconds unless [Options].AccessTokenLifetime pins them),
// refresh_in (see [Options].RefreshIn), access_token (an RS256 JWT for the
// resource), refresh_token (with offline_access), id_token (with openid;
// aud, iss, iat, nbf, exp, name, oid, preferred_username, sub, tid, nonce,
// ver), client_info (with client_info=1) and foci (family apps). Errors
// carry error, error_description starting "AADSTSnnnn:", error_codes,
// timestamp, trace_id, correlation_id (the client-request-id header when
// sent), error_uri, and suberror and claims where Entra sends them.
//
// # The sign-in pages, for browser automation
//
// The HTML is plain, without script except the form_post page's
// auto-submit, and its element ids are stable: the sign-in page has
// form#signin, input#username, input#password, input#consent (a checked
// checkbox; unticking it declines), button#submit and button#cancel, and
// p#error after a failed attempt. The device page has input#code and
// button#submit, then the same sign-in form; p#done confirms. Codes reach
// the redirect URI by a 302 (response_mode query or fragment) or by an
// auto-submitting form#hiddenform (form_post, as MSAL Go asks). Headless
// tests set [Options].AutoApprove to skip the page.
//
// # Controls for tests
//
//   - Clock: [Options].Now (default time.Now) and [Authority.Advance].
//   - Device codes: [Authority.ApproveDevice], [Authority.DeclineDevice],
//     [Authority.DeviceCodes], or [Options].AutoApproveDevice.
//   - Faults per endpoint: [Authority.InjectFault] with [AADSTSError] (any
//     Entra error by code), [Throttle] (429 with Retry-After),
//     [ServerError], [HTMLPage], [TruncatedJSON], [OversizedBody], [Delay],
//     [DropConnection]; each for one request, Times requests, or until
//     [Authority.ClearFaults].
//   - Bad ID tokens for the security suite: [Authority.Misbehave] (bad
//     signature, wrong iss, aud or nonce, alg none, HS256 keyed with the
//     public key, expired, unknown kid, missing kid with one or several
//     keys, an unknown crit header, an attacker key in jwk/jku headers,
//     a key published with another tenant's issuer, a 1024-bit key, the
//     signing key published with use "enc") and [Authority.SetIDTokenHook] for any claim; bad token responses
//     with [Authority.SetTokenResponseHook]; tampered authorization
//     responses (state, code, iss, error) with [Authority.SetRedirectHook].
//   - Keys: [Authority.RotateKey], [Authority.RetireKey], [Authority.KeyIDs].
//   - Refresh tokens: [Options].RejectRefreshTokenReuse,
//     [Authority.RevokeRefreshTokens], [Options].RefreshTokenLifetime.
//   - Observation: [Authority.Requests], [Authority.RequestsTo],
//     [Authority.Count], [Authority.Counts], [Authority.ResetLog].
//   - Persistence between runs of a program: [Authority.MarshalState], and
//     [Restore] to read it back (an error, never a panic, for a state file
//     gone bad: [ErrBadState]); [Options].State does the same for a state
//     the program itself holds (New panics on a bad one).
//
// # What it imitates, and what it knowingly does not
//
// Imitated: the v2.0 endpoint paths and JSON shapes above; the {tenantid}
// issuer template; instance discovery with aliases and invalid_instance
// (AADSTS50049); the user realm; the localhost redirect exception (port
// ignored for http://localhost and http://127.0.0.1, path and scheme not);
// form_post; refresh token reuse accepted until expiry (90 days of
// inactivity, AADSTS700082) and revocation (AADSTS50173); family refresh
// tokens; ROPC refused on /common (AADSTS9001023), for federated users and
// for MFA users (AADSTS50076 + claims); AADSTS7000218 when public-client
// flows are off; one resource per token request (AADSTS28000) and unknown
// resources (AADSTS500011); refresh_in only for lifetimes of 2 h or more.
//
// Imitated with a public source: the granted "scope" for .default (the
// answer MSAL.NET's tests model, GetTokenResponseWithNoOidClaim in
// tests/Microsoft.Identity.Test.Common/Core/Mocks/MockHelpers.cs of
// github.com/AzureAD/microsoft-authentication-library-for-dotnet: "scope"
// ".../user_impersonation .../.default", expires_in 4771);
// the default access-token lifetime, random between 60 and 90 minutes
// (https://learn.microsoft.com/en-us/entra/identity-platform/configurable-token-lifetimes#access-tokens);
// error_uri naming /error?code=N on the authority's host
// (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes).
//
// Knowingly not imitated, each with the source of Entra's behaviour:
//   - scope for explicit permissions is the requested permissions as sent;
//     Entra may add permissions already consented on the resource and, for
//     Microsoft Graph, answers the OIDC scopes too ("User.Read profile
//     openid email" in https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code#successful-authentication-response).
//   - a client that declares the cp1 capability (continuous access
//     evaluation) gets a 60-90 minute token too; Entra issues it for up to
//     28 hours (https://learn.microsoft.com/en-us/entra/identity/conditional-access/concept-continuous-access-evaluation).
//   - ext_expires_in always equals expires_in; Entra extends it when it
//     serves from its backup (https://learn.microsoft.com/en-us/entra/architecture/resilience-client-app).
//   - the /error page is a one-line description; Entra's is the error-code
//     lookup of https://login.microsoftonline.com/error.
//   - access tokens are v2 JWTs for every resource (Graph's are v1 and not
//     meant to be validated: https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens).
//
// Also not imitated: no personal (MSA)
// accounts, no guest users, no WS-Trust for federated users, no second
// factor, no conditional access beyond the scripted errors; the browser
// session (a cookie set by the sign-in page) serves only prompt=none, so
// other prompts always show the page (Entra may sign in silently), and it
// is not saved by MarshalState; PKCE is required and plain is refused (Entra
// accepts plain and, for native apps, no PKCE); the authorization code is
// burnt by any redemption attempt, even a failed one; slow_down is sent
// only when [Options].EnforceDeviceInterval asks (Entra does not document
// it). Codes whose exact Entra use is unconfirmed and chosen here:
// bad_verification_code with AADSTS70000 for an unknown device_code,
// authorization_declined with AADSTS70000, 501481 for a missing verifier.
package fakeauthority
