//go:build linux

package broker

import (
	"testing"
	"time"
)

// SetCallTimeout sets the deadline of the broker calls other than an
// interactive sign-in to d until t ends.
func SetCallTimeout(t testing.TB, d time.Duration) {
	old := callTimeout
	callTimeout = d
	t.Cleanup(func() { callTimeout = old })
}
