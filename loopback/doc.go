// Package loopback signs a user in to Microsoft Entra ID in the system
// browser: the authorization code flow with PKCE for native apps
// (RFC 8252), the code arriving on a one-shot HTTP listener on the
// loopback interface.
//
// # Using it
//
// [New] returns a [Credential]; its GetToken serves tokens from the cache or
// a refresh token whenever it can, and opens the browser only when neither
// serves:
//
//	cred, err := loopback.New("", &loopback.Options{
//		ClientOptions: oauth.ClientOptions{TenantID: "contoso.onmicrosoft.com"},
//	})
//	tok, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
//
// Authenticate signs in explicitly and returns the AuthenticationRecord that
// lets a later process find the account in a persistent cache.
//
// # What one sign-in does
//
//  1. [Listen] binds 127.0.0.1 and, on the same port where it can, [::1],
//     on a port the system picks (or the one in Options.RedirectURI). The
//     redirect URI sent is http://localhost:PORT, which every registration
//     of http://localhost matches because Entra ignores the port of
//     localhost redirect URIs; "http://127.0.0.1" can be asked for instead.
//  2. A fresh PKCE verifier (S256), state and nonce, 256 bits each from
//     crypto/rand, go into the authorize URL with response_mode=form_post
//     (or query), the scopes plus openid profile offline_access, and the
//     prompt, login_hint, domain_hint and claims that apply.
//  3. The URL is opened by Options.OpenURL, or by [OpenBrowser]: $BROWSER,
//     then open (macOS), rundll32 (Windows), the Windows browser from WSL,
//     or xdg-open and friends on a Linux desktop. When nothing can open,
//     the URL is printed for the user to open by hand, and the wait goes on.
//  4. The listener waits, for at most Options.Timeout (5 minutes by
//     default) and as long as the context allows, for the response that
//     carries its state, then closes.
//  5. The code is redeemed with the verifier and the same redirect URI; the
//     engine validates the ID token, its nonce included, and caches the
//     tokens and the account.
//
// # Safety of the listener
//
// The listener is reachable by every program on the machine and by web
// pages through the browser, so it trusts nothing it receives:
//
//   - it answers only the redirect path, and only requests whose Host is
//     the redirect URI's own, which defeats DNS rebinding;
//   - a response with a wrong or missing state, or in the other response
//     mode, gets an error page and is otherwise ignored: a forged
//     error=access_denied cannot cancel the sign-in, and the real response
//     still completes it;
//   - the authority's error (error, error_description) ends the sign-in as
//     an *oauth.Error with Endpoint "authorize"; the page shows it through
//     html/template, so markup in it is text, and control characters are
//     dropped before it can reach a terminal;
//   - pages load nothing and send no Referer; headers and bodies have read
//     timeouts and size limits, so a client trickling bytes is cut off;
//   - the first valid response closes the listener, so a second delivery
//     finds no socket and no code is redeemed twice.
//
// The browser tests in the nested module interop/chromium drive a real
// headless Chromium through the fake authority's sign-in page, for both
// response modes (a nested module, so their browser driver never reaches
// this module's dependency graph).
package loopback
