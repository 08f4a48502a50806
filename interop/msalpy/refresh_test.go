package msalpy

import (
	"testing"

	"github.com/entraauth/entraauth/oauth"
)

// Resources whose .default scope a step asks for; each new one makes the
// side redeem the account's refresh token (a refresh), and the fake, with
// single-use refresh tokens, rotates it: only the newest one works.
const (
	vaultScope   = "https://vault.azure.net/.default"
	storageScope = "https://storage.azure.com/.default"
	graphScope   = "https://graph.microsoft.com/.default"
	apiScope     = "api://entraauth-test/.default"
)

// step is one process of a scenario: who runs, for which scope, and how
// many token requests the fake must see (1: a refresh; 0: the cache).
type step struct {
	who   string // "py" (MSAL Python), "py-force" (force_refresh), "ours"
	scope string
	want  int
}

// runSteps signs the account in with first ("py" or "ours", ROPC), then
// runs each step as a new process on the shared file, with the fake
// rejecting any refresh token that was already redeemed.
func runSteps(t *testing.T, first string, steps []step) {
	e := newEnv(t, nil)
	var rec oauth.AuthenticationRecord
	if first == "py" {
		res := e.py("msal_ropc.py", nil)
		e.token("MSAL Python sign-in", res)
		rec = e.recordFor(res["home_account_id"].(string))
	} else {
		var err error
		if rec, err = e.ourPassword().Authenticate(t.Context(), oauth.TokenOptions{Scopes: []string{armScope}}); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range steps {
		e.fa.ResetLog()
		what := s.who + " " + s.scope
		switch s.who {
		case "ours":
			tok, err := e.ourSilent(rec).GetToken(t.Context(), oauth.TokenOptions{Scopes: []string{s.scope}}, nil)
			if err != nil || tok.Token == "" {
				t.Fatalf("step %d, %s: %v", i+1, what, err)
			}
		default:
			res := e.py("msal_silent.py", map[string]any{"home_account_id": rec.HomeAccountID,
				"scopes": []string{s.scope}, "force_refresh": s.who == "py-force"})
			if tok, _ := res["access_token"].(string); tok == "" {
				t.Fatalf("step %d, %s: %v", i+1, what, res)
			}
		}
		if got, by := e.tokenRequests(); got != s.want || by["refresh_token"] != s.want {
			t.Errorf("step %d, %s: %d token requests %v, want %d refresh", i+1, what, got, by, s.want)
		}
	}
}

// TestPythonRefreshesThenOurs: MSAL Python signs in and refreshes; our
// library then serves what it cached and refreshes with the refresh
// token MSAL Python rotated last, not a superseded one.
func TestPythonRefreshesThenOurs(t *testing.T) {
	runSteps(t, "py", []step{
		{"py", vaultScope, 1},
		{"ours", armScope, 0},
		{"ours", vaultScope, 0},
		{"ours", storageScope, 1},
	})
}

// TestOursRefreshesThenPython: the other order.
func TestOursRefreshesThenPython(t *testing.T) {
	runSteps(t, "ours", []step{
		{"ours", vaultScope, 1},
		{"py", armScope, 0},
		{"py", vaultScope, 0},
		{"py", storageScope, 1},
	})
}

// TestInterleavedRefreshes: the two sides take turns refreshing the one
// account, each with the refresh token the other rotated last.
func TestInterleavedRefreshes(t *testing.T) {
	runSteps(t, "py", []step{
		{"ours", vaultScope, 1},
		{"py", storageScope, 1},
		{"ours", graphScope, 1},
		{"py-force", armScope, 1},
		{"ours", apiScope, 1},
		{"py", apiScope, 0},
		{"ours", storageScope, 0},
		{"py-force", vaultScope, 1},
		{"ours", armScope, 0},
	})
}
