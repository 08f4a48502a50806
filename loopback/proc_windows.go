package loopback

import "syscall"

// detachedProcAttr starts the launcher in a new process group, so Ctrl-C
// in the console does not reach it.
func detachedProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
