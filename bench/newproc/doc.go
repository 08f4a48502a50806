// Package newproc holds the programs BenchmarkNewProcess runs, one per
// library. Each is a whole new process, as a CLI or a cron job is on
// every run: it reads a persisted cache file (MSAL's schema), gets one
// token for the Microsoft Graph scope and prints it.
//
// Both reach the fake authority the same way: a clone of
// http.DefaultTransport (HTTP/2 allowed, as each library's default client
// has it) that sends every connection to -addr and trusts the PEM
// certificate in -cert, so both libraries believe they talk to
// https://login.microsoftonline.com. -mode first signs in with the
// password grant (the cache file does not exist yet); -mode silent
// refreshes from the cache file (its access tokens were expired by the
// benchmark) with no sign-in allowed.
package newproc
