//go:build linux

package broker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakebroker"
)

// TestCancelEndsWaitOnOurSide: a caller that gives up on the sign-in
// window stops waiting, and nothing is sent to the broker: no source
// shows cancelInteractiveFlow's request, and teams-lite measured that
// calling it took broker 3.0.2 off the bus.
func TestCancelEndsWaitOnOurSide(t *testing.T) {
	e := startFake(t, nil)
	e.fb.FailNext("acquireTokenInteractively", fakebroker.Hang)
	c := e.cred(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if len(e.fb.CallsTo("acquireTokenInteractively")) > 0 {
				break
			}
		}
		cancel()
	}()
	_, err := c.Authenticate(ctx, graph)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
	if in, out := e.fb.CallsTo("acquireTokenInteractively"), e.fb.CallsTo("cancelInteractiveFlow"); len(in) != 1 || len(out) != 0 {
		t.Fatalf("interactive %+v, cancel %+v: want no cancelInteractiveFlow", in, out)
	}
}
