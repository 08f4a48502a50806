//go:build !windows

package main

// enableVT reports whether the terminal understands ANSI escapes: every
// terminal outside Windows consoles does.
func enableVT(uintptr) bool { return true }
