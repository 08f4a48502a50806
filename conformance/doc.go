// Package conformance is entraauth's conformance kit: one set of checks
// that any [oauth.Credential] must pass against the fake authority, in the
// style of golang.org/x/net/nettest.TestConn. A flow's tests call
// [TestCredential] with a [Factory] that builds the credential for a given
// [Env] and wires its user step to the Env ([Env.DeviceCodeShown] from a
// device code prompt, [Env.BrowserOpened] from a browser hook):
//
//	func TestConformance(t *testing.T) {
//		conformance.TestCredential(t, conformance.Config{
//			Name:        "device code",
//			Interactive: true,
//			New: func(t testing.TB, env *conformance.Env) conformance.Subject {
//				c, err := devicecode.New("", &devicecode.Options{ClientOptions: env.Options,
//					UserPrompt: func(ctx context.Context, m devicecode.Message) error {
//						return env.DeviceCodeShown(ctx, m.UserCode)
//					}})
//				if err != nil {
//					t.Fatal(err)
//				}
//				return conformance.Subject{Credential: c, Authenticate: c.Authenticate}
//			},
//		})
//	}
//
// Every check runs in its own testing/synctest bubble against a fresh
// in-memory authority ([fakeauthority.New] and its Client), so checks that
// wait (expiry, refresh_on, Retry-After, deadlines) take no real time.
// The checks cover the engine (cache until expiry, refresh_on,
// single-flight under 1,000 callers, claims, CAE, tenant gating,
// DisableAutomaticAuthentication, Authenticate and its record), errors and
// cancellation at each wait, the OpenID relying-party negative tests (a
// bad ID token is refused, nothing is cached and no further call is made,
// as the OpenID conformance suite asserts) and faults of the token
// endpoint.
//
// A credential known to fail a check lists it in
// [Config].ExpectedFailures with the reason: the check still runs, its
// failure is reported as expected, and a pass fails the test so the list
// cannot go stale. Each check logs one line starting with [ResultPrefix]
// and a JSON [Result]; scripts/conformancereport turns go test -json
// output into conformance/REPORT.md.
//
// [CIAM] turns a Config into the same run against a CIAM authority.
// [TestAccounts] checks a credential's Accounts and RemoveAccount; it is
// a plain helper, not a check of the kit, and logs no result line.
//
// The package links testing: import it from _test.go files only.
package conformance
