package loopback_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
)

// BenchmarkListener is one listener's whole life: bind 127.0.0.1 and
// [::1], receive one form_post over a fresh connection, close.
func BenchmarkListener(b *testing.B) {
	form := url.Values{"code": {"c"}, "state": {"s"}}
	for b.Loop() {
		l, err := loopback.Listen(&loopback.ListenerOptions{State: "s"})
		if err != nil {
			b.Fatal(err)
		}
		resp, err := plain.PostForm(l.RedirectURI(), form)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if _, err := l.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticate is one interactive sign-in minus the human: the
// listener, the authorize request to the in-memory fake (auto-approving),
// the form_post to the listener, the code redemption and the ID token's
// validation, and the cache write.
func BenchmarkAuthenticate(b *testing.B) {
	fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
	cred, err := loopback.New("", &loopback.Options{
		ClientOptions: clientOptions(fa),
		OpenURL:       stubBrowser(fa.Client(), 1),
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := cred.Authenticate(context.Background(), graph); err != nil {
			b.Fatal(err)
		}
	}
}
