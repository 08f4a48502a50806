// Package devicecode signs users in with the OAuth 2.0 device authorization
// grant (RFC 8628), the flow for SSH sessions, containers and any machine
// without a browser: the program shows a short code and a URL, the user
// opens the URL on any other device and types the code, and the program
// polls Microsoft Entra ID until the sign-in completes.
//
// # Use
//
//	cred, err := devicecode.New("", &devicecode.Options{
//		ClientOptions: oauth.ClientOptions{TenantID: "contoso.onmicrosoft.com"},
//		UserPrompt: func(ctx context.Context, m devicecode.Message) error {
//			if m.Warning != "" {
//				fmt.Fprintln(os.Stderr, "WARNING:", m.Warning)
//			}
//			fmt.Fprintln(os.Stderr, "Open", m.VerificationURI, "and enter the code", m.UserCode)
//			return nil
//		},
//	})
//	tok, err := cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{"User.Read"}})
//
// A [Credential] plugs into the engine of package oauth: a cached access
// token, or one obtained with a cached refresh token, is returned without
// any prompt. The device code sign-in starts only when neither serves, and
// never when DisableAutomaticAuthentication is set.
//
// # The device authorization response
//
// The response is parsed here, not by golang.org/x/oauth2, to keep what
// Entra adds: its localized "message" becomes [Message].Message. Both
// "verification_uri" and the older "verification_url" are accepted; a
// verification URI that is not https is refused (RFC 8628 §5.4), and one
// that is not a known device login page of the authority's cloud, or a
// message naming another URL, sets [Message].Warning, which the default
// prompt prints above the checked URI and code (it never prints Entra's
// message, whose text is the server's). Control and escape characters are
// removed from everything shown to the user (redact.Text), and the
// device code, which works as a polling credential, is never shown, logged
// or quoted in an error.
//
// # Polling
//
// Polling follows RFC 8628 §3.5, where MSAL Go does not:
//
//   - wait "interval" seconds (5 when absent) before each request;
//   - authorization_pending: poll again;
//   - slow_down: add 5 seconds to this and every later wait;
//   - authorization_declined or access_denied, expired_token,
//     bad_verification_code or any other error: stop and return the
//     *oauth.Error (errors.Is oauth.ErrDeclined or oauth.ErrExpired
//     classify the first two);
//   - at "expires_in" stop without polling again, with an *oauth.Error
//     whose Code is expired_token;
//   - a network error, HTTP 5xx or 429: double the wait for the next poll
//     (up to a minute) instead of failing; the next answer restores it;
//   - a cancelled context stops the wait at once.
//
// An absurd interval or lifetime is clamped: the interval to between 1 s
// and 5 min, the lifetime to at most an hour.
package devicecode
