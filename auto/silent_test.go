package auto

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

const scope = "https://management.core.windows.net//.default"

// signedIn returns a cache holding a token of the fake's default user for
// the Azure CLI client, as a first run leaves it.
func signedIn(t *testing.T, a *fa.Authority) *cache.Cache {
	t.Helper()
	c := cache.New(nil, nil)
	p, err := oauth.NewPasswordCredential("", fa.DefaultUsername, fa.DefaultPassword,
		&oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: c})
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
		DevicePrompt:  func(context.Context, devicecode.Message) error { return errors.New("prompted") },
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
