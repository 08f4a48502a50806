package broker

import (
	"errors"

	"github.com/entraauth/entraauth/oauth"
)

// ErrUnsupported is matched (errors.Is) by the error [New] returns where
// this machine has no broker this package can use, and by a call that
// finds the broker gone (not installed, not running and not activatable).
// That error is an *oauth.CredentialUnavailableError (Credential
// "broker"), so oauth.IsCredentialUnavailable and oauth.Chain treat it as
// "try another flow" (loopback, device code).
var ErrUnsupported = errors.New("broker: no authentication broker available")

// unsupported is the error for a machine without a usable broker.
func unsupported(reason string, cause error) error {
	var err error = ErrUnsupported
	if cause != nil {
		err = &unsupportedCause{cause}
	}
	return &oauth.CredentialUnavailableError{Credential: "broker", Reason: reason, Err: err}
}

// unsupportedCause is a cause (a D-Bus error, an HRESULT) that also
// matches ErrUnsupported.
type unsupportedCause struct{ err error }

func (c *unsupportedCause) Error() string        { return c.err.Error() }
func (c *unsupportedCause) Unwrap() error        { return c.err }
func (c *unsupportedCause) Is(target error) bool { return target == ErrUnsupported }
