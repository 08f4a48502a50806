//go:build !unix && !windows

package loopback

import "syscall"

func detachedProcAttr() *syscall.SysProcAttr { return nil }
