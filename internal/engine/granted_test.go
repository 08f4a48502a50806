package engine_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// TestDefaultScopeServedFromGrantedTarget: Entra answers a
// "<resource>/.default" request with the granted permissions
// ("…/user_impersonation …/.default"), and the fake now does too. The
// token is cached under that granted target (the form MSAL reads) and
// found again for the .default request (the requested-scope alias, in
// this process), for the granted permission itself (the scope scan), and
// in the next process, which has no alias (the .default scan): no
// request to the authority in any of them.
func TestDefaultScopeServedFromGrantedTarget(t *testing.T) {
	const (
		arm     = "https://management.core.windows.net//.default"
		granted = "https://management.core.windows.net//user_impersonation https://management.core.windows.net//.default"
	)
	path := filepath.Join(t.TempDir(), "cache.json")
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		signIn := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.Cache = fileCache(t, path) })
		rec, err := signIn.Authenticate(t.Context(), oauth.TokenOptions{Scopes: []string{arm}})
		if err != nil {
			t.Fatal(err)
		}
		first := mustToken(t, signIn, oauth.TokenOptions{Scopes: []string{arm}})
		if got := a.RequestsTo(fa.EndpointToken); len(got) != 1 {
			t.Fatalf("sign-in made %d token requests, want 1", len(got))
		}
		if targets := cachedTargets(t, path); len(targets) != 1 || targets[0] != granted {
			t.Fatalf("cached access token targets %q, want the granted set %q", targets, granted)
		}
		// The next process: a new cache on the same file, the account from
		// the AuthenticationRecord, no sign-in allowed.
		next, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), Cache: fileCache(t, path),
			AuthenticationRecord: rec, DisableAutomaticAuthentication: true})
		if err != nil {
			t.Fatal(err)
		}
		a.ResetLog()
		for _, tc := range []struct {
			name  string
			get   func(oauth.TokenOptions) (oauth.AccessToken, error)
			scope string
		}{
			{"same process, .default", func(o oauth.TokenOptions) (oauth.AccessToken, error) { return signIn.GetToken(t.Context(), o) }, arm},
			{"same process, granted permission", func(o oauth.TokenOptions) (oauth.AccessToken, error) { return signIn.GetToken(t.Context(), o) },
				"https://management.core.windows.net//user_impersonation"},
			{"next process, .default", func(o oauth.TokenOptions) (oauth.AccessToken, error) { return next.GetToken(t.Context(), o, nil) }, arm},
		} {
			tok, err := tc.get(oauth.TokenOptions{Scopes: []string{tc.scope}})
			if err != nil || tok.Token != first.Token {
				t.Errorf("%s: not the cached token (%v)", tc.name, err)
			}
			if n := a.Count(fa.EndpointToken); n != 0 {
				t.Errorf("%s: %d token requests, want 0", tc.name, n)
			}
		}
	})
}

// fileCache is a cache on the plaintext file at path, as a new process
// opens it.
func fileCache(t *testing.T, path string) *cache.Cache {
	t.Helper()
	st, err := cache.NewPlaintextFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cache.New(st, nil)
}

// cachedTargets reads the targets of the access tokens in an MSAL-schema
// cache file.
func cachedTargets(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AccessToken map[string]struct {
			Target string `json:"target"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, at := range doc.AccessToken {
		out = append(out, at.Target)
	}
	return out
}
