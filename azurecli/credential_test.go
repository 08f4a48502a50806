package azurecli_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

const profileJSON = "\ufeff" + `{"subscriptions": [{"id": "s1", "name": "Sub", "state": "Enabled", "user": {"name": "` + fa.DefaultUsername +
	`", "type": "user"}, "isDefault": true, "tenantId": "` + fa.DefaultTenantID + `", "environmentName": "AzureCloud"}]}`

// signedIn makes an Azure CLI configuration directory whose cache holds a
// session for the default user, signed in (password grant) through a
// cache file in Azure CLI's place, against the in-memory fake.
func signedIn(t *testing.T, a *fa.Authority) (dir, token string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte(profileJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := cache.NewPlaintextFile(filepath.Join(dir, "msal_token_cache.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{
		HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: cache.New(st, nil)}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	if err != nil {
		t.Fatal(err)
	}
	return dir, tok.Token
}

func TestCacheHitNoRequest(t *testing.T) {
	a := fa.New(nil)
	dir, want := signedIn(t, a)
	a.ResetLog()
	c, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}, ConfigDir: dir, DisableSubprocess: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
		if err != nil {
			t.Fatal(err)
		}
		if tok.Token != want {
			t.Fatal("not the cached token")
		}
	}
	if n := len(a.Requests()); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
	// A scope with no cached token is one refresh, written back.
	if _, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://vault.azure.net/.default"}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "msal_token_cache.json"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Count(fa.EndpointToken) != 1 || !strings.Contains(string(b), "https://vault.azure.net/") {
		t.Errorf("counts %v; vault token written back: %v", a.Counts(), strings.Contains(string(b), "https://vault.azure.net/"))
	}
	accts, err := c.Accounts(context.Background())
	if err != nil || len(accts) != 1 || accts[0].Username != fa.DefaultUsername {
		t.Fatalf("Accounts = %+v, %v", accts, err)
	}
	if err := c.RemoveAccount(context.Background(), accts[0]); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	if !oauth.IsCredentialUnavailable(err) {
		t.Errorf("after RemoveAccount: err = %v, want unavailable", err)
	}
}

func TestUnavailable(t *testing.T) {
	a := fa.New(nil)
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"no configuration directory", func(t *testing.T, dir string) { os.RemoveAll(dir) }},
		{"no profile", func(t *testing.T, dir string) {}},
		{"logged out", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte("\ufeff{\"subscriptions\": []}"), 0o600)
		}},
		{"profile but no cache", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte(profileJSON), 0o600)
		}},
		{"encrypted cache on Linux", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte(profileJSON), 0o600)
			os.WriteFile(filepath.Join(dir, "config"), []byte("[core]\nencrypt_token_cache = true\n"), 0o600)
			os.WriteFile(filepath.Join(dir, "msal_token_cache.bin"), []byte("sealed"), 0o600)
		}},
		{"service principal", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte(strings.Replace(profileJSON, `"type": "user"`, `"type": "servicePrincipal"`, 1)), 0o600)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "encrypted cache on Linux" && runtime.GOOS == "windows" {
				t.Skip("Windows reads the encrypted cache with DPAPI")
			}
			dir := t.TempDir()
			tc.setup(t, dir)
			c, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}, ConfigDir: dir, DisableSubprocess: true})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
			if !oauth.IsCredentialUnavailable(err) || !strings.Contains(err.Error(), "az login") {
				t.Fatalf("err = %v, want unavailable naming az login", err)
			}
		})
	}
}

func TestNewRefusesNoRoute(t *testing.T) {
	if _, err := azurecli.New(&azurecli.Options{DisableSubprocess: true, DisableTokenCache: true}); err == nil {
		t.Error("New accepted a credential with no way to get a token")
	}
	if _, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{TenantID: "bad/tenant"}}); err == nil {
		t.Error("New accepted a bad tenant")
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	a := fa.New(nil)
	dir, want := signedIn(t, a)
	a.ResetLog()
	c, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}, ConfigDir: dir, DisableSubprocess: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}, TenantID: fa.DefaultTenantID})
			if err != nil || tok.Token != want {
				t.Errorf("%v, same token %v", err, tok.Token == want)
			}
		})
	}
	wg.Wait()
	if n := len(a.Requests()); n != 0 {
		t.Errorf("%d requests", n)
	}
}
