package auto_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/auto"
	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

const armScope = "https://management.core.windows.net//.default"

// TestMain keeps the tests off the developer's own session bus: a real
// identity broker there would open its sign-in window. The broker tests
// name a private bus of their own.
func TestMain(m *testing.M) {
	os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
	os.Exit(m.Run())
}

// ExampleNew signs in with the browser and the broker excluded (a remote
// shell): there is no Azure CLI session here (an empty configuration
// directory), so the credential falls back to a device code, against the in-memory fake
// authority, which approves the code a moment after issuing it.
func ExampleNew() {
	a := fa.New(&fa.Options{DeviceInterval: time.Second, AutoApproveDevice: time.Millisecond})
	dir, err := os.MkdirTemp("", "no-azure-cli")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	cred, err := auto.New("", &auto.Options{
		ClientOptions:  oauth.ClientOptions{AuthorityHost: a.URL(), TenantID: fa.DefaultTenantID, HTTPClient: a.Client()},
		ExcludeBrowser: true,
		ExcludeBroker:  true, // an SSH session: no desktop broker to show a window
		AzureCLI:       &azurecli.Options{ConfigDir: dir, DisableSubprocess: true},
		UserPrompt: func(ctx context.Context, m devicecode.Message) error {
			fmt.Println("open", m.VerificationURI, "and enter the code")
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("plan:", cred.Flows())
	if _, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}}); err != nil {
		panic(err)
	}
	_, isDeviceCode := cred.Selected().(*devicecode.Credential)
	fmt.Println("signed in with the device code:", isDeviceCode)
	// Output:
	// plan: [azurecli devicecode]
	// open https://login.microsoftonline.com/devicelogin and enter the code
	// signed in with the device code: true
}

// With an Azure CLI session, the token comes from it: no prompt, no request.
func TestAzureCLISessionFirst(t *testing.T) {
	a := fa.New(nil)
	dir := t.TempDir()
	profile := "\ufeff" + `{"subscriptions": [{"id": "s", "user": {"name": "` + fa.DefaultUsername + `", "type": "user"}, "isDefault": true, "tenantId": "` + fa.DefaultTenantID + `", "environmentName": "AzureCloud"}]}`
	if err := os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := cache.NewPlaintextFile(filepath.Join(dir, "msal_token_cache.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: cache.New(st, nil)}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	if err != nil {
		t.Fatal(err)
	}
	a.ResetLog()
	cred, err := auto.New("", &auto.Options{
		ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()},
		AzureCLI:      &azurecli.Options{ConfigDir: dir, DisableSubprocess: true},
		UserPrompt:    func(context.Context, devicecode.Message) error { return errors.New("prompted") },
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	if err != nil || tok.Token != want.Token || len(a.Requests()) != 0 {
		t.Fatalf("err %v, same token %v, %d requests; want Azure CLI's token with no request", err, tok.Token == want.Token, len(a.Requests()))
	}
	if _, ok := cred.Selected().(*azurecli.Credential); !ok {
		t.Errorf("Selected = %T", cred.Selected())
	}
}

type brokerStub struct{ err error }

func (b brokerStub) GetToken(context.Context, oauth.TokenOptions) (oauth.AccessToken, error) {
	if b.err != nil {
		return oauth.AccessToken{}, b.err
	}
	return oauth.AccessToken{Token: "from the broker"}, nil
}

// The broker seam: a broker credential passed in is tried after the Azure
// CLI session; unavailable, the chain moves on; a refusal stops it.
func TestBrokerSeam(t *testing.T) {
	empty := &azurecli.Options{ConfigDir: t.TempDir(), DisableSubprocess: true}
	prompt := func(context.Context, devicecode.Message) error { return errors.New("device code prompted") }
	refused := &oauth.Error{Endpoint: "token", Code: "invalid_grant"}
	for _, tc := range []struct {
		name   string
		broker oauth.Credential
		want   string
		err    error
	}{
		{"broker signs in", brokerStub{}, "from the broker", nil},
		{"no broker running: device code next", brokerStub{err: &oauth.CredentialUnavailableError{Credential: "broker", Reason: "no broker"}}, "", errDevice},
		{"broker refuses: stops there", brokerStub{err: refused}, "", refused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred, err := auto.New("", &auto.Options{AzureCLI: empty, Broker: tc.broker, ExcludeBrowser: true, UserPrompt: prompt,
				ClientOptions: oauth.ClientOptions{HTTPClient: fa.New(nil).Client()}})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
			switch {
			case tc.err == errDevice:
				if err == nil || err.Error() == "" || !containsDevice(err) {
					t.Fatalf("err = %v, want the device code prompt's error", err)
				}
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
			default:
				if err != nil || tok.Token != tc.want {
					t.Fatalf("got %q, %v", tok.Token, err)
				}
			}
		})
	}
}

var errDevice = errors.New("device")

func containsDevice(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "device code prompted" {
			return true
		}
	}
	return false
}

func TestAccountsOfSharedCache(t *testing.T) {
	a := fa.New(&fa.Options{AutoApprove: true})
	c := cache.New(nil, nil)
	p, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: c}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if _, err := p.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}}); err != nil {
		t.Fatal(err)
	}
	cred, err := auto.New("", &auto.Options{ExcludeAzureCLI: true, ExcludeBrowser: true,
		UserPrompt:    func(context.Context, devicecode.Message) error { return nil },
		ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), Cache: c}})
	if err != nil {
		t.Fatal(err)
	}
	accts, err := cred.Accounts(context.Background())
	if err != nil || len(accts) != 1 {
		t.Fatalf("Accounts = %v, %v", accts, err)
	}
	if err := cred.RemoveAccount(context.Background(), accts[0]); err != nil {
		t.Fatal(err)
	}
	if accts, _ := cred.Accounts(context.Background()); len(accts) != 0 {
		t.Errorf("after RemoveAccount: %v", accts)
	}
}

// With automatic authentication off and nothing cached, no flow can run
// without a prompt: the whole credential is unavailable, giving each
// flow's reason, and nothing was prompted.
func TestDisableAutomaticAuthenticationNothingCached(t *testing.T) {
	cred, err := auto.New("", &auto.Options{
		ClientOptions: oauth.ClientOptions{HTTPClient: fa.New(nil).Client(), DisableAutomaticAuthentication: true},
		AzureCLI:      &azurecli.Options{ConfigDir: t.TempDir(), DisableSubprocess: true},
		OpenURL:       func(context.Context, string) error { return errors.New("browser opened") },
		UserPrompt:    func(context.Context, devicecode.Message) error { return errors.New("device code prompted") },
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
	if !oauth.IsCredentialUnavailable(err) {
		t.Fatalf("err = %v, want unavailable", err)
	}
	for _, want := range []string{"az login", "automatic authentication is disabled"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "opened") || strings.Contains(err.Error(), "prompted") {
		t.Errorf("a flow prompted: %v", err)
	}
}
