package auto

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

const scope = "https://management.core.windows.net//.default"

// signedIn returns a cache holding a token of the fake's default user for
// the Azure CLI client, as a first run leaves it.
func signedIn(t *testing.T, a *fa.Authority) *cache.Cache {
	t.Helper()
	c := cache.New(nil, nil)
	p, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: c}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{scope}}); err != nil {
		t.Fatal(err)
	}
	a.ResetLog()
	return c
}

// A cron job, CI step or pipe (no terminal, no browser) whose cache holds
// a valid token gets it; with nothing cached it is told no way to sign in
// can run, and nobody was prompted. Whether a person can be reached is
// asked at the call: a terminal attached later lets the device code run.
// (Before: New failed with "no way to sign in here" whenever there was no
// terminal and no browser, cached token or not.)
func TestSilentWithoutTerminal(t *testing.T) {
	a := fa.New(&fa.Options{AutoApprove: true})
	var terminal atomic.Bool
	m := machine{canOpenBrowser: func() bool { return false }, hasTerminal: terminal.Load, newBroker: fakeNewBroker(false)}
	noCLI := &azurecli.Options{ConfigDir: t.TempDir(), DisableSubprocess: true}
	for _, tc := range []struct {
		name   string
		cached bool
	}{{"cached token", true}, {"nothing cached", false}} {
		t.Run(tc.name, func(t *testing.T) {
			c := cache.New(nil, nil)
			if tc.cached {
				c = signedIn(t, a)
			}
			var prompted atomic.Int32
			cred, err := m.build("", &Options{AzureCLI: noCLI,
				ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: c}})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			defer cred.Close()
			tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{scope}})
			if tc.cached {
				if err != nil || tok.Token == "" {
					t.Fatalf("got %v, want the cached token", err)
				}
				if n := len(a.Requests()); n != 0 {
					t.Errorf("%d requests, want 0", n)
				}
				return
			}
			if !oauth.IsCredentialUnavailable(err) || prompted.Load() != 0 {
				t.Fatalf("err = %v, want unavailable and no prompt", err)
			}
		})
	}
}

// The check for a terminal is made at the call, not when the credential
// is built: the device code step runs once one is attached.
func TestPersonStepDecidedAtCall(t *testing.T) {
	a := fa.New(&fa.Options{DeviceInterval: time.Second, AutoApproveDevice: time.Millisecond})
	var terminal atomic.Bool
	m := machine{canOpenBrowser: func() bool { return false }, hasTerminal: terminal.Load, newBroker: fakeNewBroker(false)}
	cred, err := m.build("", &Options{ExcludeAzureCLI: true, ExcludeBrowser: true,
		ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}})
	if err != nil {
		t.Fatalf("build without a terminal: %v", err)
	}
	defer cred.Close()
	if _, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{scope}}); !oauth.IsCredentialUnavailable(err) {
		t.Fatalf("no terminal: err = %v, want unavailable", err)
	}
	terminal.Store(true)
	// The default prompt writes to standard error; the test only needs
	// the step to start: the fake approves the code at once.
	if _, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{scope}}); err != nil {
		t.Fatalf("with a terminal: %v", err)
	}
	if _, ok := cred.Selected().(*devicecode.Credential); !ok {
		t.Errorf("Selected = %T, want the device code's", cred.Selected())
	}
}

// Every silent step is tried before any step that needs a person: an
// account in the shared cache is served though a broker (which would show
// its window) comes earlier in the plan.
func TestSilentBeforePerson(t *testing.T) {
	a := fa.New(nil)
	c := signedIn(t, a)
	b := &countingBroker{}
	cred, err := thisMachine.build("", &Options{ExcludeAzureCLI: true, Broker: b,
		OpenURL:       func(context.Context, string) error { return errors.New("browser opened") },
		UserPrompt:    func(context.Context, devicecode.Message) error { return errors.New("prompted") },
		ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: c}})
	if err != nil {
		t.Fatal(err)
	}
	defer cred.Close()
	if _, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{scope}}); err != nil {
		t.Fatal(err)
	}
	if b.n.Load() != 0 {
		t.Errorf("the broker's (prompting) step ran %d times before the cache was asked", b.n.Load())
	}
}

type countingBroker struct{ n atomic.Int32 }

func (b *countingBroker) GetToken(context.Context, oauth.TokenOptions) (oauth.AccessToken, error) {
	b.n.Add(1)
	return oauth.AccessToken{}, errors.New("broker window shown")
}

// auto bound to one user (an AuthenticationRecord) never serves another
// user's Azure CLI session: alice's az session, a record for bob.
// (Before: the Azure CLI step served alice's token.)
func TestBoundAutoSkipsOtherUsersAzureCLI(t *testing.T) {
	a := fa.New(nil)
	dir := azSession(t, a)
	rec := oauth.AuthenticationRecord{HomeAccountID: "b0b0b0b0-0000-4000-8000-000000000000." + fa.DefaultTenantID,
		TenantID: fa.DefaultTenantID, Username: "bob@contoso.onmicrosoft.com", ClientID: oauth.AzureCLIClientID}
	m := machine{canOpenBrowser: func() bool { return false }, hasTerminal: func() bool { return false }, newBroker: fakeNewBroker(false)}
	for name, az := range map[string]azurecli.Options{
		"its options from auto": {ConfigDir: dir, DisableSubprocess: true},
		// Options of its own (here an HTTP client) carried no record, so
		// the step served alice's session to bob's credential.
		"options of its own": {ConfigDir: dir, DisableSubprocess: true, ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}},
	} {
		t.Run(name, func(t *testing.T) {
			cred, err := m.build("", &Options{AzureCLI: &az,
				ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), AuthenticationRecord: rec}})
			if err != nil {
				t.Fatal(err)
			}
			defer cred.Close()
			tok, err := cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{scope}})
			if err == nil || tok.Token != "" {
				t.Fatalf("bob's credential got a token (alice's Azure CLI session): %v", err)
			}
		})
	}
}

// An Azure CLI step bound to another user than auto's record is refused
// at construction: the credential could not serve one user throughout.
func TestAutoRefusesAzureCLIBoundToAnotherUser(t *testing.T) {
	bob := oauth.AuthenticationRecord{HomeAccountID: "b.t", TenantID: "t", Username: "bob@x", ClientID: oauth.AzureCLIClientID}
	alice := bob
	alice.HomeAccountID, alice.Username = "a.t", "alice@x"
	_, err := (&Options{AzureCLI: &azurecli.Options{ClientOptions: oauth.ClientOptions{AuthenticationRecord: alice}},
		ClientOptions: oauth.ClientOptions{AuthenticationRecord: bob}}).credential(AzureCLI, "")
	if err == nil {
		t.Fatal("an Azure CLI step bound to alice was built for bob's credential")
	}
}

// A revoked Azure CLI session is a refusal: it stops auto with an
// *oauth.Error naming az login, and no browser opens. (Before: reported
// as unavailable, so auto went on to the browser.)
func TestRevokedAzureCLIStops(t *testing.T) {
	a := fa.New(nil)
	dir := azSession(t, a)
	a.RevokeRefreshTokens(fa.DefaultUsername)
	var opened atomic.Int32
	cred, err := thisMachine.build("", &Options{ExcludeBroker: true, AzureCLI: &azurecli.Options{ConfigDir: dir, DisableSubprocess: true},
		OpenURL:       func(context.Context, string) error { opened.Add(1); return errors.New("browser opened") },
		ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	var oe *oauth.Error
	if !errors.As(err, &oe) || oauth.IsCredentialUnavailable(err) || opened.Load() != 0 {
		t.Fatalf("err = %v, browser opened %d times; want the refusal and no browser", err, opened.Load())
	}
}

// azSession is an Azure CLI configuration directory with the fake's
// default user signed in (profile and plaintext token cache).
func azSession(t *testing.T, a *fa.Authority) string {
	t.Helper()
	dir := t.TempDir()
	profile := "\ufeff" + `{"subscriptions": [{"id": "s", "user": {"name": "` + fa.DefaultUsername + `", "type": "user"}, "isDefault": true, "tenantId": "` + fa.DefaultTenantID + `", "environmentName": "AzureCloud"}]}`
	if err := os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := cache.NewPlaintextFile(filepath.Join(dir, "msal_token_cache.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: cache.New(st, nil)}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if _, err := p.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{scope}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Once the caller's context has ended, auto starts no step that needs a
// person (no browser opens, no device code is asked for), even where one
// could run, and the error says why.
func TestAutoStopsAfterContextEnds(t *testing.T) {
	a := fa.New(nil)
	var opened, prompted atomic.Int32
	m := machine{canOpenBrowser: func() bool { return true }, hasTerminal: func() bool { return true }, newBroker: fakeNewBroker(false)}
	cred, err := m.build("", &Options{ExcludeAzureCLI: true,
		OpenURL:       func(context.Context, string) error { opened.Add(1); return errors.New("browser opened") },
		UserPrompt:    func(context.Context, devicecode.Message) error { prompted.Add(1); return nil },
		ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	defer cred.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = cred.GetToken(ctx, oauth.TokenOptions{Scopes: []string{scope}})
	if !errors.Is(err, context.Canceled) || opened.Load() != 0 || prompted.Load() != 0 || len(a.Requests()) != 0 {
		t.Fatalf("err = %v; browser opened %d times, device code shown %d times, %d requests; want context.Canceled and nothing started",
			err, opened.Load(), prompted.Load(), len(a.Requests()))
	}
}
