// Package coldproc holds the two programs BenchmarkColdProcess runs, one
// per library: each starts, loads a persisted cache file holding 1,000
// accounts, and prints one account's access token from it, silently,
// with no request. Their arguments are the cache file, the client ID, the
// tenant, the account's home account ID and its username.
package coldproc
