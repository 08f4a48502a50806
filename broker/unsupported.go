package broker

import (
	"errors"
	"strings"
)

// ErrUnsupported is matched (errors.Is) by the error [New] returns where
// this machine has no broker this package can use, and by a call that
// finds the broker gone (not installed, not running and not activatable).
// Fall back to another flow (loopback, device code) on it.
var ErrUnsupported = errors.New("broker: no authentication broker available")

// UnavailableError says why no broker can be used here. It matches
// [ErrUnsupported].
type UnavailableError struct {
	// Reason is a sentence for the user.
	Reason string
	// Err is the underlying cause, if any (a D-Bus error, a COM HRESULT).
	Err error
}

func (e *UnavailableError) Error() string {
	var b strings.Builder
	b.WriteString("broker: no authentication broker available: ")
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Is reports ErrUnsupported.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnsupported }

func unsupported(reason string, err error) error {
	return &UnavailableError{Reason: reason, Err: err}
}
