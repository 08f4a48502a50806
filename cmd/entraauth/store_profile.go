//go:build linux || darwin

package main

// profileName names the profile in secret store items: the fake's tokens
// never mix with real ones.
func profileName(fake bool) string {
	if fake {
		return "fake"
	}
	return "default"
}
