//go:build race

package bench_test

// raceBuild reports a -race build, where each token the fake mints (two
// RSA signatures) costs several times more.
const raceBuild = true
