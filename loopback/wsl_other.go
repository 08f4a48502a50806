//go:build !linux

package loopback

// detectWSL is false off Linux: WSL is a Linux kernel.
func detectWSL() bool { return false }
