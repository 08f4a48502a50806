//go:build unix

package azurecli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/azurecli"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// az's files decide whether az has a session: when they show none (never
// signed in, signed out, no default subscription, no tokens for the
// user) az is not started, the answer is "unavailable, run az login"
// (before: az account get-access-token ran, 1.3-3.3 s, to say the same).
// Only a cache this library cannot read (encrypted in az's keyring item,
// or refused for its file mode) sends the request to az. A credential
// bound to another user than az's default never gets az's token.
func TestSubprocessOnlyWhenFilesUnreadable(t *testing.T) {
	a := fa.New(nil)
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for _, tc := range []struct {
		name     string
		setup    func(t *testing.T, dir string)
		username string
		wantRun  bool
	}{
		{"never signed in", func(t *testing.T, dir string) { os.RemoveAll(dir) }, "", false},
		{"signed out", func(t *testing.T, dir string) {
			write(t, dir, "azureProfile.json", "\ufeff{\"subscriptions\": []}")
		}, "", false},
		{"no default subscription", func(t *testing.T, dir string) {
			write(t, dir, "azureProfile.json", strings.Replace(profileJSON, `"isDefault": true`, `"isDefault": false`, 1))
		}, "", false},
		{"profile but no tokens", func(t *testing.T, dir string) {
			write(t, dir, "azureProfile.json", profileJSON)
			write(t, dir, "msal_token_cache.json", "{}")
		}, "", false},
		{"encrypted cache", func(t *testing.T, dir string) {
			write(t, dir, "azureProfile.json", profileJSON)
			write(t, dir, "config", "[core]\nencrypt_token_cache = true\n")
		}, "", true},
		{"encrypted cache, bound to another user", func(t *testing.T, dir string) {
			write(t, dir, "azureProfile.json", profileJSON)
			write(t, dir, "config", "[core]\nencrypt_token_cache = true\n")
		}, "bob@contoso.onmicrosoft.com", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "azure")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, dir)
			marker := filepath.Join(t.TempDir(), "ran")
			az := fakeAz(t, `touch "`+marker+`"; echo '{"accessToken":"`+jwt+`","expires_on":1895963876,"tokenType":"Bearer"}'`)
			c, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}, ConfigDir: dir, AzPath: az,
				Username: tc.username, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
			_, statErr := os.Stat(marker)
			if ran := statErr == nil; ran != tc.wantRun {
				t.Fatalf("az ran: %v, want %v (err %v)", ran, tc.wantRun, err)
			}
			if !tc.wantRun && (!oauth.IsCredentialUnavailable(err) || tok.Token != "") {
				t.Errorf("err = %v, token %v; want unavailable and no token", err, tok.Token != "")
			}
			if tc.wantRun && (err != nil || tok.Token != jwt) {
				t.Errorf("subprocess route: %v", err)
			}
		})
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A credential bound to a user serves only that user's az session: with
// alice's session in az's cache and the credential bound to bob, nothing
// is returned.
func TestBoundUserOnlyOwnSession(t *testing.T) {
	a := fa.New(nil)
	dir, _ := signedIn(t, a)
	c, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}, ConfigDir: dir, Username: "bob@contoso.onmicrosoft.com",
		AzPath: fakeAz(t, `echo '{"accessToken":"x.y.z","expires_on":1895963876}'`)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	if !oauth.IsCredentialUnavailable(err) || tok.Token != "" {
		t.Fatalf("err = %v, token %v; want unavailable", err, tok.Token != "")
	}
}

// On the subprocess route too (az's cache encrypted), a credential bound
// to another cloud never runs az: az would answer for its own cloud.
func TestSubprocessOnlyInTheBoundCloud(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for _, tc := range []struct {
		host    string
		wantRun bool
	}{{"https://login.microsoftonline.com", true}, {"https://login.microsoftonline.us", false}} {
		t.Run(tc.host, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "azureProfile.json", profileJSON)
			write(t, dir, "config", "[core]\nencrypt_token_cache = true\n")
			marker := filepath.Join(t.TempDir(), "ran")
			az := fakeAz(t, `touch "`+marker+`"; echo '{"accessToken":"`+jwt+`","expires_on":1895963876,"tokenType":"Bearer"}'`)
			c, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{AuthorityHost: tc.host}, ConfigDir: dir, AzPath: az, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
			_, statErr := os.Stat(marker)
			if ran := statErr == nil; ran != tc.wantRun || (!ran && !oauth.IsCredentialUnavailable(err)) {
				t.Fatalf("az ran: %v, want %v (err %v)", statErr == nil, tc.wantRun, err)
			}
		})
	}
}
