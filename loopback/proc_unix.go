//go:build unix

package loopback

import "syscall"

// detachedProcAttr puts the browser in its own process group, so a signal
// to the terminal's foreground group (Ctrl-C) does not reach it.
func detachedProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
