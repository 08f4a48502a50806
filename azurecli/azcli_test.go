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
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

const armScope = "https://management.core.windows.net//.default"

// TestRealAzureCLISession signs the real az in against the fake
// authority, then: the credential serves az's cached token with no
// request; after the tokens expire it refreshes and writes back, and az
// uses what it wrote (the token itself, and the rotated refresh token,
// since the fake refuses a redeemed one); the credential reads what az
// wrote later; and the subprocess route parses az's real output.
func TestRealAzureCLISession(t *testing.T) {
	// One-hour tokens, pinned: the fake otherwise varies them as Entra does.
	w := newAzWorld(t, &fa.Options{RejectRefreshTokenReuse: true, AccessTokenLifetime: time.Hour})
	w.login(t)
	azARM, _ := w.azToken(t)
	ctx := context.Background()
	arm := oauth.TokenOptions{Scopes: []string{armScope}}
	newCred := func(o azurecli.Options) *azurecli.Credential {
		o.ConfigDir, o.HTTPClient = w.configDir, w.httpClient()
		c, err := azurecli.New(&o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("cached token, no request", func(t *testing.T) {
		w.authority.ResetLog()
		tok, err := newCred(azurecli.Options{DisableSubprocess: true}).GetToken(ctx, arm)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Token != azARM {
			t.Error("the credential's token is not the one az cached")
		}
		if n := len(w.authority.Requests()); n != 0 {
			t.Errorf("%d requests to the authority, want 0", n)
		}
	})

	t.Run("refresh, write back, az uses it", func(t *testing.T) {
		w.expireAccessTokens(t)
		w.authority.ResetLog()
		tok, err := newCred(azurecli.Options{DisableSubprocess: true}).GetToken(ctx, arm)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Token == azARM || w.authority.Count(fa.EndpointToken) != 1 {
			t.Fatalf("want a new token from one refresh; same token: %v, counts %v", tok.Token == azARM, w.authority.Counts())
		}
		got, _ := w.azToken(t)
		if got != tok.Token {
			t.Error("az account get-access-token did not return the token the credential wrote back")
		}
		if n := w.authority.Count(fa.EndpointToken); n != 1 {
			t.Errorf("az made %d token requests after the write-back, want 0", n-1)
		}
		// The old refresh token is dead now (RejectRefreshTokenReuse): az
		// can refresh only with the one the credential wrote.
		w.expireAccessTokens(t)
		vault, _ := w.azToken(t, "--resource", "https://vault.azure.net")
		if n := w.authority.Count(fa.EndpointToken); n != 2 {
			t.Errorf("token requests = %d, want 2 (ours, then az's refresh with our refresh token)", n)
		}
		// And the other way: a new credential reads what az wrote.
		w.authority.ResetLog()
		tv, err := newCred(azurecli.Options{DisableSubprocess: true}).GetToken(ctx, oauth.TokenOptions{Scopes: []string{"https://vault.azure.net/.default"}})
		if err != nil {
			t.Fatal(err)
		}
		if tv.Token != vault || len(w.authority.Requests()) != 0 {
			t.Errorf("vault token: same as az's %v, %d requests; want az's token with 0 requests", tv.Token == vault, len(w.authority.Requests()))
		}
	})

	t.Run("subprocess parses real az output", func(t *testing.T) {
		want, _ := w.azToken(t)
		tok, err := newCred(azurecli.Options{DisableTokenCache: true, Timeout: 2 * time.Minute}).GetToken(ctx, arm)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Token != want {
			t.Error("the subprocess route returned another token than az prints")
		}
		if d := time.Until(tok.ExpiresOn); d < 50*time.Minute || d > 61*time.Minute {
			t.Errorf("ExpiresOn is %v from now; the fake issues one-hour tokens", d)
		}
	})

	t.Run("cache refused, falls back to az", func(t *testing.T) {
		// A cache file others can read is refused (it holds refresh
		// tokens); the credential falls back to az, which still answers.
		path := filepath.Join(w.configDir, "msal_token_cache.json")
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(path, 0o600)
		tok, err := newCred(azurecli.Options{Timeout: 2 * time.Minute}).GetToken(ctx, arm)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := w.azToken(t)
		if tok.Token != want {
			t.Error("the fallback's token is not the one az prints")
		}
	})

	t.Run("revoked session: a refusal, says az login", func(t *testing.T) {
		// As azure-identity's AzureCliCredential: a revoked session is
		// the authority's refusal (*oauth.Error), which stops a chain,
		// not "unavailable", which would send auto on to a browser.
		w.expireAccessTokens(t)
		w.authority.RevokeRefreshTokens(fa.DefaultUsername)
		_, err := newCred(azurecli.Options{Timeout: 2 * time.Minute}).GetToken(ctx, arm)
		var oe *oauth.Error
		if oauth.IsCredentialUnavailable(err) || !errors.As(err, &oe) || !strings.Contains(err.Error(), "az login") {
			t.Fatalf("err = %v; want an *oauth.Error naming az login", err)
		}
	})
}
