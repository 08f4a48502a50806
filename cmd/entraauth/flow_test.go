package main

import (
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestLoginFlowChoice: login signs in through package auto, the one
// chooser. Without --flow the browser runs where one can open at the
// call, else the device code; --flow NAME runs that flow whether or not
// a browser can open. login.json names the flow that signed in.
func TestLoginFlowChoice(t *testing.T) {
	saved := canOpenBrowser
	t.Cleanup(func() { canOpenBrowser = saved })
	for _, tc := range []struct {
		flow    string
		browser bool
		want    string
	}{
		{"", true, "browser"},
		{"", false, "device"},
		{"device", true, "device"},
		{"browser", false, "browser"},
	} {
		canOpenBrowser = func() bool { return tc.browser }
		fakes := captureFakes(t)
		io, _, errb := testIO(t, nil)
		args := []string{"login", "--fake"}
		if tc.flow != "" {
			args = append(args, "--flow", tc.flow)
		}
		if code := run(t.Context(), args, io); code != exitOK {
			t.Fatalf("%q with a browser %v: exit %d\n%s", args, tc.browser, code, errb)
		}
		dir, _ := profileDir(io, true)
		last, ok, err := loadLogin(dir)
		if err != nil || !ok || last.Flow != tc.want {
			t.Errorf("%q with a browser %v: login.json flow %q (%v, %v), want %q", args, tc.browser, last.Flow, ok, err, tc.want)
		}
		fa := (*fakes)[0]
		devices, authorizes := fa.Count(fakeauthority.EndpointDeviceCode), fa.Count(fakeauthority.EndpointAuthorize)
		if (tc.want == "device") != (devices == 1 && authorizes == 0) {
			t.Errorf("%q with a browser %v: %d device authorization and %d authorize requests, want only the %s flow's",
				args, tc.browser, devices, authorizes, tc.want)
		}
		if strings.Contains(errb.String(), "stand-in browser") != (tc.want == "browser") {
			t.Errorf("%q with a browser %v: stderr %q", args, tc.browser, errb)
		}
	}
}
