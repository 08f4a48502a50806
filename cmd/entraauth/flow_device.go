package main

import (
	"context"

	"github.com/entraauth/entraauth/devicecode"
)

func init() {
	registerFlow(&flow{
		Name:     "device",
		Summary:  "device code: open a URL on any device and enter a code",
		Priority: 100,
		New:      newDeviceFlow,
	})
}

// newDeviceFlow builds a device code credential whose prompt is the live
// countdown on a terminal and plain lines otherwise. The countdown is
// erased when the sign-in ends.
func newDeviceFlow(s *session) (loginCredential, error) {
	return devicecode.New(s.clientID, &devicecode.Options{
		ClientOptions: s.client,
		Prompt: func(_ context.Context, m devicecode.Message) error {
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
		},
	})
}
