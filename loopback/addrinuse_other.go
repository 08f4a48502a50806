//go:build !windows

package loopback

import (
	"errors"
	"syscall"
)

func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }

// addrUnavailable reports an address this machine does not have at all
// (no IPv6, or no IPv4 loopback), as opposed to one another program holds.
func addrUnavailable(err error) bool {
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT) || errors.Is(err, syscall.EPROTONOSUPPORT)
}
