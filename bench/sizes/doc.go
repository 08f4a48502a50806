// Package sizes holds one minimal device-code program per library, built
// by bench/report.sh to compare stripped binary sizes and module counts:
// each signs in with the device code flow and prints the token's expiry.
// sizes/stdlib is the floor: the same two HTTP requests with only the
// standard library. None of them is run by the tests.
package sizes
