package main

import (
	"context"

	"github.com/entraauth/entraauth/devicecode"
)

// devicePrompt shows the device code: the live countdown on a terminal
// and plain lines otherwise (so the flow can run anywhere). The
// countdown is erased when the sign-in ends.
func devicePrompt(s *session) func(context.Context, devicecode.Message) error {
	return func(_ context.Context, m devicecode.Message) error {
		if s.fake != nil {
			m = s.fake.rewrite(m)
		}
		width := 0
		if s.io.termWidth != nil {
			width = s.io.termWidth()
		}
		c := startCountdown(s.io.stderr, s.io.stderrTTY, width, m)
		s.onDone(c.Stop)
		return nil
	}
}
