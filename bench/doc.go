// Package bench compares entraauth with MSAL Go (apps/public, v1.10.1) and
// azidentity (v1.15.0, with azcore v1.24.0), side by side, against the
// same fake authority. It is a nested module of its own so that neither
// MSAL Go nor azidentity is ever linked into entraauth itself; it holds
// only tests and benchmarks.
//
// # One fake, one transport, one account
//
// Every library gets the in-memory *http.Client of
// conformance/fakeauthority (MSAL Go through public.WithHTTPClient,
// azidentity through azcore.ClientOptions.Transport, entraauth through
// oauth.ClientOptions.HTTPClient). The fake pretends to be
// https://login.microsoftonline.com, a cloud all three know. Instance
// discovery is turned off in all three (public.WithInstanceDiscovery(false),
// DisableInstanceDiscovery in the other two) except where a test row says
// "discovery=true", where each library keeps its default. All three sign
// the same user in (fakeauthority.DefaultUsername, password grant, the
// Azure CLI client ID, the default tenant) and ask for the same scopes.
//
// # What is measured
//
//   - BenchmarkWarmSilent: one silent call with a valid cached access
//     token, as every API request of an application makes it. The loop
//     fails if any request reaches the fake.
//   - BenchmarkWarmSilentParallel: the same from b.RunParallel on one
//     client. A credential-wide lock shows as a parallel ns/op no better
//     than (or worse than) the serial one.
//   - TestWarmSilentAllocs: heap allocations per warm call
//     (testing.AllocsPerRun, deterministic): entraauth must stay within 2;
//     the others are logged.
//   - TestConcurrentRefresh: 1,000 goroutines released at once on a
//     client whose access token has expired, and again for a new scope
//     with only the refresh token cached; it counts the requests reaching
//     the token endpoint. It runs in a testing/synctest bubble, so the
//     token expires on the bubble's clock (all three libraries read
//     time.Now) and an optional 100 ms fake latency costs no wall time.
//     entraauth must send exactly one request; the other libraries are
//     logged.
//   - BenchmarkNewProcessFirstToken: a first token in a new process, one
//     real program (bench/newproc) per op, entraauth and MSAL Go, through
//     a proxy that adds 0, 5, 20 or 50 ms to every handshake and request,
//     against the fake on a loopback TLS socket posing as
//     login.microsoftonline.com.
//   - BenchmarkNewProcessRefresh: a refresh in a new process (the cache
//     file's access tokens expired), with requests per op;
//     BenchmarkNewProcessRefreshKeysNotKept is entraauth with the key set
//     it keeps beside the cache deleted first (what every run paid before).
//   - BenchmarkVerifyIDTokenSignature: the ID-token check a refresh adds
//     over the fake's answer.
//   - TestColdStart: the requests per endpoint for a first token (password
//     and device code) and for the silent call after it; entraauth's are
//     asserted, the others logged.
//
// run.sh runs the benchmarks (-count=5 -benchmem) into results/ and prints
// medians, ratios to entraauth and benchstat. Under plain go test only the
// tests run, in a few seconds (a -race build storms MSAL Go with 100
// callers instead of 1,000 where each caller gets a freshly signed token).
//
// # What this cannot show
//
// Times are in-process, with no network: a real token request costs tens to
// hundreds of milliseconds, which dwarfs every warm-path figure here, and
// counts of requests matter more than nanoseconds. The machine these were
// written on has 2 cores shared with other work, so compare ratios from one
// run of run.sh, not absolute times across runs.
package bench
