package loopback_test

import (
	"context"
	"errors"
	"testing"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/password"
)

// A credential with a login hint serves only the hinted user's cached
// tokens: with alice the only account of a shared cache, a credential
// hinted for bob opens the browser instead of returning alice's token.
func TestLoginHintBindsTheCache(t *testing.T) {
	fa := fakeauthority.New(nil)
	shared := cache.New(nil, nil)
	o := clientOptions(fa)
	o.Cache = shared
	alice, err := password.New("", &password.Options{ClientOptions: o, Username: fakeauthority.DefaultUsername, Password: fakeauthority.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	aliceTok, err := alice.GetToken(context.Background(), graph)
	if err != nil {
		t.Fatal(err)
	}
	errBrowser := errors.New("browser opened")
	for _, tt := range []struct {
		hint        string
		wantBrowser bool
	}{
		{"bob@contoso.onmicrosoft.com", true},
		{"Alice@Contoso.onmicrosoft.com", false},
		{"", false}, // unbound: the only account
	} {
		opened := false
		c := newCredential(t, fa, func(lo *loopback.Options) {
			lo.Cache = shared
			lo.LoginHint = tt.hint
			lo.OpenURL = func(context.Context, string) error { opened = true; return errBrowser }
		})
		tok, err := c.GetToken(context.Background(), graph)
		if tt.wantBrowser {
			if err == nil && tok.Token == aliceTok.Token {
				t.Fatalf("hint %q: returned alice's cached token", tt.hint)
			}
			if !opened || !errors.Is(err, errBrowser) {
				t.Errorf("hint %q: browser opened %v, err %v; want the browser", tt.hint, opened, err)
			}
			continue
		}
		if err != nil || tok.Token != aliceTok.Token || opened {
			t.Errorf("hint %q: err %v, alice's token %v, browser %v; want alice's cached token", tt.hint, err, tok.Token == aliceTok.Token, opened)
		}
	}
}
