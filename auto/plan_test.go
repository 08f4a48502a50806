package auto

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

type stubCred struct{}

func (stubCred) GetToken(context.Context, oauth.TokenOptions) (oauth.AccessToken, error) {
	return oauth.AccessToken{Token: "broker"}, nil
}

func TestPlan(t *testing.T) {
	openURL := func(context.Context, string) error { return nil }
	for _, tc := range []struct {
		name                      string
		broker, browser, terminal bool
		clientID                  string
		opts                      *Options
		want                      []Flow
	}{
		{"desktop with a terminal", false, true, true, "", nil, []Flow{AzureCLI, Browser, DeviceCode}},
		{"ssh session: no browser (asked at the call)", false, false, true, "", nil, []Flow{AzureCLI, Browser, DeviceCode}},
		{"no browser, no terminal (a service)", false, false, false, "", nil, []Flow{AzureCLI, Browser, DeviceCode}},
		{"GUI app without a terminal", false, true, false, "", nil, []Flow{AzureCLI, Browser, DeviceCode}},
		{"another app: no Azure CLI session", false, true, true, "11111111-2222-3333-4444-555555555555", nil, []Flow{Browser, DeviceCode}},
		{"Azure CLI client named explicitly", false, true, true, oauth.AzureCLIClientID, nil, []Flow{AzureCLI, Browser, DeviceCode}},
		{"broker passed in", false, true, true, "", &Options{Broker: stubCred{}}, []Flow{AzureCLI, Broker, Browser, DeviceCode}},
		{"browser excluded", false, true, true, "", &Options{ExcludeBrowser: true}, []Flow{AzureCLI, DeviceCode}},
		{"all excluded", false, true, true, "", &Options{ExcludeAzureCLI: true, ExcludeBroker: true, ExcludeBrowser: true, ExcludeDeviceCode: true, Broker: stubCred{}}, nil},
		{"OS broker on this machine", true, true, true, "", nil, []Flow{AzureCLI, Broker, Browser, DeviceCode}},
		{"OS broker, another app", true, false, false, "11111111-2222-3333-4444-555555555555", nil, []Flow{Broker, Browser, DeviceCode}},
		{"OS broker excluded", true, true, true, "", &Options{ExcludeBroker: true}, []Flow{AzureCLI, Browser, DeviceCode}},
		{"hooks stand in for browser and terminal", false, false, false, "", &Options{OpenURL: openURL, UserPrompt: func(context.Context, devicecode.Message) error { return nil }}, []Flow{AzureCLI, Browser, DeviceCode}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := machine{canOpenBrowser: func() bool { return tc.browser }, hasTerminal: func() bool { return tc.terminal },
				newBroker: fakeNewBroker(tc.broker)}
			got, b, err := m.plan(tc.clientID, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if b != nil {
				b.Close()
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("plan = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEverythingExcluded(t *testing.T) {
	m := machine{canOpenBrowser: func() bool { return false }, hasTerminal: func() bool { return false }, newBroker: fakeNewBroker(false)}
	_, err := m.build("", &Options{ExcludeAzureCLI: true, ExcludeBrowser: true, ExcludeDeviceCode: true})
	if !oauth.IsCredentialUnavailable(err) {
		t.Fatalf("err = %v, want unavailable", err)
	}
}

// fakeNewBroker stands for broker.New on a machine with a broker (a real
// broker credential on a bus address nothing listens on: New makes no
// call) or without one (broker.ErrUnsupported, as New says off Linux and
// Windows or without a session bus).
func fakeNewBroker(present bool) func(string, *broker.Options) (*broker.Credential, error) {
	return func(clientID string, o *broker.Options) (*broker.Credential, error) {
		if !present {
			return nil, &oauth.CredentialUnavailableError{Credential: "broker", Reason: "none here", Err: broker.ErrUnsupported}
		}
		o.DBusAddress = "unix:path=/nonexistent/bus"
		return broker.New(clientID, o)
	}
}

// An invalid broker option is reported, not taken for "no broker".
func TestPlanBrokerOptionError(t *testing.T) {
	m := machine{canOpenBrowser: func() bool { return true }, hasTerminal: func() bool { return true }, newBroker: broker.New}
	_, _, err := m.plan("", &Options{BrokerOptions: &broker.Options{Timeout: -1}})
	if err == nil || errors.Is(err, broker.ErrUnsupported) {
		t.Fatalf("err = %v, want the option's error", err)
	}
}
