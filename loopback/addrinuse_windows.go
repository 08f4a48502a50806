package loopback

import (
	"errors"
	"syscall"
)

// Winsock errors: a taken port, and an address or family this machine
// does not have.
const (
	wsaeaddrinuse      = syscall.Errno(10048)
	wsaeaddrnotavail   = syscall.Errno(10049)
	wsaeafnosupport    = syscall.Errno(10047)
	wsaeprotonosupport = syscall.Errno(10043)
)

func isAddrInUse(err error) bool { return errors.Is(err, wsaeaddrinuse) }

// addrUnavailable reports an address this machine does not have at all
// (no IPv6, or no IPv4 loopback), as opposed to one another program holds.
func addrUnavailable(err error) bool {
	return errors.Is(err, wsaeaddrnotavail) || errors.Is(err, wsaeafnosupport) || errors.Is(err, wsaeprotonosupport)
}
