package auto

import (
	"context"
	"slices"
	"testing"

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
		name              string
		browser, terminal bool
		clientID          string
		opts              *Options
		want              []Flow
	}{
		{"desktop with a terminal", true, true, "", nil, []Flow{AzureCLI, Browser, DeviceCode}},
		{"ssh session: no browser", false, true, "", nil, []Flow{AzureCLI, DeviceCode}},
		{"no browser, no terminal (a service)", false, false, "", nil, []Flow{AzureCLI}},
		{"GUI app without a terminal", true, false, "", nil, []Flow{AzureCLI, Browser}},
		{"another app: no Azure CLI session", true, true, "11111111-2222-3333-4444-555555555555", nil, []Flow{Browser, DeviceCode}},
		{"Azure CLI client named explicitly", true, true, oauth.AzureCLIClientID, nil, []Flow{AzureCLI, Browser, DeviceCode}},
		{"broker passed in", true, true, "", &Options{Broker: stubCred{}}, []Flow{AzureCLI, Broker, Browser, DeviceCode}},
		{"browser excluded", true, true, "", &Options{ExcludeBrowser: true}, []Flow{AzureCLI, DeviceCode}},
		{"all excluded", true, true, "", &Options{ExcludeAzureCLI: true, ExcludeBroker: true, ExcludeBrowser: true, ExcludeDeviceCode: true, Broker: stubCred{}}, nil},
		{"hooks stand in for browser and terminal", false, false, "", &Options{OpenURL: openURL, DevicePrompt: func(context.Context, devicecode.Message) error { return nil }}, []Flow{AzureCLI, Browser, DeviceCode}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := machine{canOpenBrowser: func() bool { return tc.browser }, hasTerminal: func() bool { return tc.terminal }}
			if got := m.plan(tc.clientID, tc.opts); !slices.Equal(got, tc.want) {
				t.Errorf("plan = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNothingCanRun(t *testing.T) {
	m := machine{canOpenBrowser: func() bool { return false }, hasTerminal: func() bool { return false }}
	_, err := m.build("", &Options{ExcludeAzureCLI: true})
	if !oauth.IsCredentialUnavailable(err) {
		t.Fatalf("err = %v, want unavailable", err)
	}
}
