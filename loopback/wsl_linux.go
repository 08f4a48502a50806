package loopback

import "os"

// detectWSL reports whether this Linux runs under the Windows Subsystem
// for Linux, where the user's browser is a Windows program.
func detectWSL() bool {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return isWSL(string(b), os.Getenv)
}
