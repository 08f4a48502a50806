//go:build linux

package broker_test

import (
	"context"
	"errors"
	"testing"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/entraauth/entraauth/oauth"
)

const bob = "bob@contoso.onmicrosoft.com"

// TestLoginHintBindsUser: a broker credential given a LoginHint serves
// that user only, as the browser credential binds its hint: a sign-in in
// the broker's window as another user is refused, and the broker's
// account of another user is not used silently.
func TestLoginHintBindsUser(t *testing.T) {
	t.Run("sign-in as another user", func(t *testing.T) {
		// The user picks alice in the window although the hint is bob.
		e := startFake(t, &fakebroker.Options{IgnoreLoginHint: true})
		rec, err := e.cred(t, &broker.Options{LoginHint: bob}).Authenticate(context.Background(), graph)
		if !errors.Is(err, oauth.ErrAccountMismatch) {
			t.Fatalf("record %+v, err %v: want ErrAccountMismatch", rec, err)
		}
	})
	t.Run("broker account of another user", func(t *testing.T) {
		e := startFake(t, nil)
		if _, err := e.cred(t, nil).Authenticate(context.Background(), graph); err != nil {
			t.Fatal(err) // the broker now holds alice
		}
		o := &broker.Options{LoginHint: bob, UseDefaultAccount: true}
		o.DisableAutomaticAuthentication = true
		tok, err := e.cred(t, o).GetToken(context.Background(), arm)
		var are *oauth.AuthenticationRequiredError
		if !errors.As(err, &are) {
			t.Fatalf("token %v, err %v: want AuthenticationRequiredError, not alice's token", tok.Token != "", err)
		}
		if n := len(e.fb.CallsTo("acquireTokenSilently")); n != 0 {
			t.Fatalf("%d silent calls for alice's account", n)
		}
	})
	t.Run("the hint's own account", func(t *testing.T) {
		e := startFake(t, nil)
		if _, err := e.cred(t, nil).Authenticate(context.Background(), graph); err != nil {
			t.Fatal(err)
		}
		rec, err := e.cred(t, &broker.Options{LoginHint: fakeauthority.DefaultUsername, UseDefaultAccount: true}).Authenticate(context.Background(), arm)
		if err != nil || rec.Username != fakeauthority.DefaultUsername || len(e.fb.CallsTo("acquireTokenInteractively")) != 1 {
			t.Fatal(rec, err)
		}
	})
}
