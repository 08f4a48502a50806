//go:build unix

package azurecli_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/oauth"
)

// fakeAz writes a shell script standing in for az, and returns its path.
func fakeAz(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "az")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

// The subprocess route, with a script in az's place: what it runs, what
// it makes of each kind of answer.
func TestSubprocessRoute(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for _, tc := range []struct {
		name, script string
		opts         oauth.TokenOptions
		unavailable  bool
		err          string
	}{
		{"token", `echo "$@" > "$(dirname "$0")/args"; echo '{"accessToken":"` + jwt + `","expires_on":4102444800,"expiresOn":"2026-11-29 14:51:15.000000","tokenType":"Bearer"}'`,
			oauth.TokenOptions{Scopes: []string{armScope}, TenantID: "t1"}, false, ""},
		{"not logged in", `echo "ERROR: Please run 'az login' to setup account." >&2; exit 1`,
			oauth.TokenOptions{Scopes: []string{armScope}}, true, "az login"},
		// The authority refused the session (revoked or expired refresh
		// token): az names AADSTS and says to run az login. A refusal,
		// not "no session", so a chain stops instead of prompting.
		{"session refused", `printf '%s\n' "ERROR: AADSTS700082: The refresh token has expired due to inactivity." "Interactive authentication is needed. Please run:" "az login --scope https://management.core.windows.net//.default" >&2; exit 1`,
			oauth.TokenOptions{Scopes: []string{armScope}}, false, "refused; run az login: ERROR: AADSTS700082"},
		{"az fails otherwise, token in its message", `echo "ERROR: boom ` + jwt + `" >&2; exit 2`,
			oauth.TokenOptions{Scopes: []string{armScope}}, false, "boom [redacted]"},
		{"hangs", `exec sleep 30`, oauth.TokenOptions{Scopes: []string{armScope}}, true, "did not answer within"},
		{"prints garbage", `echo 'Welcome!'`, oauth.TokenOptions{Scopes: []string{armScope}}, false, "not a JSON object"},
		{"tenant not allowed", `exit 0`, oauth.TokenOptions{Scopes: []string{armScope}, TenantID: "other"}, false, "not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			az := fakeAz(t, tc.script)
			c, err := azurecli.New(&azurecli.Options{DisableTokenCache: true, AzPath: az, Timeout: 500 * time.Millisecond,
				ClientOptions: oauth.ClientOptions{AdditionallyAllowedTenants: []string{"t1"}}})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.GetToken(context.Background(), tc.opts)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				args, _ := os.ReadFile(filepath.Join(filepath.Dir(az), "args"))
				if tok.Token != jwt || !tok.ExpiresOn.Equal(time.Unix(4102444800, 0)) ||
					strings.TrimSpace(string(args)) != "account get-access-token --output json --resource=https://management.core.windows.net/ --tenant=t1" {
					t.Errorf("token ok %v, expiry %v, args %q", tok.Token == jwt, tok.ExpiresOn, args)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if oauth.IsCredentialUnavailable(err) != tc.unavailable {
				t.Errorf("unavailable = %v, want %v (%v)", !tc.unavailable, tc.unavailable, err)
			}
			if strings.Contains(err.Error(), jwt) {
				t.Error("the error quotes the token")
			}
		})
	}
}

func TestSubprocessNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	c, err := azurecli.New(&azurecli.Options{DisableTokenCache: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	var ue *oauth.CredentialUnavailableError
	if !errors.As(err, &ue) || !strings.Contains(ue.Reason, "not installed") {
		t.Fatalf("err = %v", err)
	}
}

// A claims challenge never goes to az, which cannot pass it on: the
// credential is unavailable for it (a browser in a chain can answer it).
func TestClaimsNotSentToAz(t *testing.T) {
	az := fakeAz(t, `touch "$(dirname "$0")/ran"; exit 1`)
	c, err := azurecli.New(&azurecli.Options{DisableTokenCache: true, AzPath: az})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}, Claims: `{"access_token":{"nbf":{"essential":true,"value":"1"}}}`})
	if !oauth.IsCredentialUnavailable(err) {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(az), "ran")); err == nil {
		t.Error("az ran for a claims challenge")
	}
}

// az printing more than the cap ends with the size error, whatever it
// printed: the cap holds through exec's copy (which uses ReadFrom when the
// writer has one); a 2 MB "token" is not returned.
func TestSubprocessOutputCapped(t *testing.T) {
	az := fakeAz(t, `printf '{"accessToken":"'; head -c 2000000 /dev/zero | tr '\0' a; printf '","expires_on":4102444800}'`)
	c, err := azurecli.New(&azurecli.Options{DisableTokenCache: true, AzPath: az, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	if err == nil || !strings.Contains(err.Error(), "printed over") {
		t.Fatalf("GetToken = %d-byte token, %v; want the size error", len(tok.Token), err)
	}
}

// A token az prints with an expires_on in the past is refused.
func TestSubprocessExpiredTokenRefused(t *testing.T) {
	az := fakeAz(t, `echo '{"accessToken":"s3cr3t","expires_on":1600000000}'`)
	c, err := azurecli.New(&azurecli.Options{DisableTokenCache: true, AzPath: az, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}}); err == nil || tok.Token != "" {
		t.Fatalf("GetToken = %q, %v; want a refusal", tok.Token, err)
	}
}
