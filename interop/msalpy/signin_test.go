package msalpy

import (
	"context"
	"testing"

	"github.com/entraauth/entraauth/oauth"
)

// TestPythonSignInThenOursSilent: MSAL Python signs in (ROPC, device
// code) and writes the shared file; our library, a new process knowing
// the account, serves the token from that file with no token request.
func TestPythonSignInThenOursSilent(t *testing.T) {
	for _, script := range []string{"msal_ropc.py", "msal_devicecode.py"} {
		t.Run(script, func(t *testing.T) {
			e := newEnv(t, nil)
			res := e.py(script, nil)
			pyTok := e.token("MSAL Python sign-in", res)
			home, _ := res["home_account_id"].(string)
			e.fa.ResetLog()
			if got := e.get(e.ourSilent(e.recordFor(home)), "ours after MSAL Python's sign-in"); got != pyTok {
				t.Errorf("ours returned another token than the one MSAL Python cached")
			}
			e.wantTokenRequests("ours silent after MSAL Python's sign-in", 0)
		})
	}
}

// TestOursSignInThenPythonSilent: our library signs in (ROPC, device
// code) and writes the shared file; MSAL Python, a new process, serves the
// token from it with no token request.
func TestOursSignInThenPythonSilent(t *testing.T) {
	for _, flow := range []string{"password", "devicecode"} {
		t.Run(flow, func(t *testing.T) {
			e := newEnv(t, nil)
			var rec oauth.AuthenticationRecord
			var err error
			opts := oauth.TokenOptions{Scopes: []string{armScope}}
			ctx := context.Background()
			if flow == "password" {
				rec, err = e.ourPassword().Authenticate(ctx, opts)
			} else {
				rec, err = e.ourDeviceCode().Authenticate(ctx, opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			ours := e.get(e.ourSilent(rec), "ours silent after our sign-in")
			e.fa.ResetLog()
			res := e.py("msal_silent.py", map[string]any{"home_account_id": rec.HomeAccountID})
			if got := e.token("MSAL Python silent after our sign-in", res); got != ours {
				t.Errorf("MSAL Python returned another token than the one we cached")
			}
			e.wantTokenRequests("MSAL Python silent after our sign-in", 0)
		})
	}
}
