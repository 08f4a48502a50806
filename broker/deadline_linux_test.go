//go:build linux

package broker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/conformance/fakebroker"
)

// TestDefaultDeadline: a broker that never answers cannot hold a caller
// that passed context.Background(): the call's own deadline ends it.
func TestDefaultDeadline(t *testing.T) {
	e := startFake(t, nil)
	broker.SetCallTimeout(t, 200*time.Millisecond)
	e.fb.FailNext("getAccounts", fakebroker.Hang)
	c := e.cred(t, nil)
	if _, err := c.Accounts(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
}
