package fakebroker

import (
	"errors"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

const stateParams = `{"authParameters":{"clientId":"` + fakeauthority.AzureCLIClientID +
	`","authority":"https://login.microsoftonline.com/common","redirectUri":"https://login.microsoftonline.com/common/oauth2/nativeclient",
	"requestedScopes":["https://graph.microsoft.com/.default"]%s}}`

// A broker restored from another's state serves the saved account
// silently, with the saved refresh token, from the same fake authority
// (restored from its own state, as a CLI does between runs).
func TestStateRoundTrip(t *testing.T) {
	fa := fakeauthority.New(nil)
	first := &object{New(&Options{HTTPClient: fa.Client()})}
	if out, err := first.AcquireTokenInteractively("0.0", "c1", strings.Replace(stateParams, "%s", "", 1)); err != nil || !strings.Contains(out, "accessToken") {
		t.Fatalf("sign-in: %s %v", out, err)
	}
	state, err := first.b.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	faState, err := fa.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	fa2, err := fakeauthority.Restore(faState, nil)
	if err != nil {
		t.Fatal(err)
	}
	second := &object{New(&Options{HTTPClient: fa2.Client()})}
	if err := second.b.RestoreState(state); err != nil {
		t.Fatal(err)
	}
	home := fakeauthority.DefaultUserObjectID + "." + fakeauthority.DefaultTenantID
	if got := second.b.Accounts(); len(got) != 1 || got[0] != home {
		t.Fatalf("restored accounts %v", got)
	}
	out, derr := second.AcquireTokenSilently("0.0", "c2", strings.Replace(stateParams, "%s", `,"account":{"homeAccountId":"`+home+`"}`, 1))
	if derr != nil || !strings.Contains(out, "accessToken") || fa2.Count(fakeauthority.EndpointToken) != 1 {
		t.Fatalf("silent after restore: %s %v (%v)", out, derr, fa2.Counts())
	}
}

func TestRestoreStateRejects(t *testing.T) {
	for _, tc := range []struct{ name, state string }{
		{"not JSON", "{"},
		{"other version", `{"version":2,"accounts":[]}`},
		{"no home account ID", `{"version":1,"accounts":[{"account":{},"clientId":"c"}]}`},
		{"no client ID", `{"version":1,"accounts":[{"account":{"homeAccountId":"u.t"}}]}`},
		{"too large", `{"version":1,"accounts":[],"x":"` + strings.Repeat("a", maxState) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := New(&Options{HTTPClient: fakeauthority.New(nil).Client()})
			if err := b.RestoreState([]byte(`{"version":1,"accounts":[{"account":{"homeAccountId":"u.t"},"clientId":"c"}]}`)); err != nil {
				t.Fatal(err)
			}
			if err := b.RestoreState([]byte(tc.state)); !errors.Is(err, ErrBadState) {
				t.Fatalf("err = %v, want ErrBadState", err)
			}
			if got := b.Accounts(); len(got) != 1 {
				t.Fatalf("a failed restore changed the accounts: %v", got)
			}
		})
	}
}

// FuzzRestoreState: no state makes RestoreState panic, and what it
// accepts marshals again.
func FuzzRestoreState(f *testing.F) {
	f.Add(`{"version":1,"accounts":[{"account":{"homeAccountId":"u.t","username":"x"},"clientId":"c","refreshToken":"r"}]}`)
	f.Add(`{"version":1,"accounts":null}`)
	f.Fuzz(func(t *testing.T, state string) {
		b := New(&Options{HTTPClient: fakeauthority.New(nil).Client()})
		if b.RestoreState([]byte(state)) == nil {
			if _, err := b.MarshalState(); err != nil {
				t.Fatalf("MarshalState after RestoreState: %v", err)
			}
		}
	})
}
