package loopback

import "strings"

// isWSL decides from the kernel release string (WSL 1 says "Microsoft",
// WSL 2 "microsoft-standard-WSL2") and the variables WSL sets in every
// process it starts.
func isWSL(osrelease string, getenv func(string) string) bool {
	if getenv("WSL_DISTRO_NAME") != "" || getenv("WSL_INTEROP") != "" {
		return true
	}
	r := strings.ToLower(osrelease)
	return strings.Contains(r, "microsoft") || strings.Contains(r, "wsl")
}
