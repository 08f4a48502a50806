package loopback_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// With no browser to open, no OpenURL hook and no Output to print the URL
// to, nobody can see the sign-in page: the credential is unavailable (so
// a chain moves on) instead of waiting for a browser that never comes.
func TestNoBrowserIsUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		browser string // $BROWSER
		display string // $DISPLAY
	}{
		{"no desktop, no $BROWSER", "", ""},
		{"every launcher fails ($BROWSER=false)", "false", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("BROWSER", tc.browser)
			t.Setenv("DISPLAY", tc.display)
			t.Setenv("WAYLAND_DISPLAY", "")
			if tc.browser == "" && loopback.CanOpenBrowser() {
				t.Skip("this machine can open a browser anyway (WSL, macOS or Windows)")
			}
			fa := fakeauthority.New(nil)
			cred := newCredential(t, fa, func(o *loopback.Options) {
				o.Output = nil
				o.Timeout = 5 * time.Second // the old behaviour waited here
			})
			_, err := cred.GetToken(context.Background(), graph)
			if !oauth.IsCredentialUnavailable(err) || !errors.Is(err, loopback.ErrNoBrowser) {
				t.Fatalf("GetToken = %v, want unavailable matching ErrNoBrowser", err)
			}
			if n := fa.Count(fakeauthority.EndpointToken); n != 0 {
				t.Errorf("%d token requests", n)
			}
		})
	}
}

// A hook that fails is the hook's error, not "no browser": the caller
// chose how to open the page.
func TestOpenURLErrorIsNotUnavailable(t *testing.T) {
	fa := fakeauthority.New(nil)
	cred := newCredential(t, fa, func(o *loopback.Options) {
		o.Output = nil
		o.OpenURL = func(context.Context, string) error { return errors.New("kiosk refused") }
	})
	_, err := cred.GetToken(context.Background(), graph)
	if err == nil || oauth.IsCredentialUnavailable(err) {
		t.Fatalf("GetToken = %v, want the hook's error", err)
	}
}
