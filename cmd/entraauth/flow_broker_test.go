package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestLoginFakeBroker: login --fake --flow broker signs in through the
// fake broker on a private dbus-daemon; the token comes from the fake
// authority through the broker, and login does not look for it in the
// profile's cache (the broker keeps its tokens).
func TestLoginFakeBroker(t *testing.T) {
	requireDBus(t)
	fakes := captureFakes(t)
	io, out, errb := testIO(t, nil)
	if code := run(t.Context(), []string{"login", "--fake", "--flow", "broker", "--output", "json"}, io); code != exitOK {
		t.Fatalf("login --fake --flow broker = exit %d; stderr:\n%s", code, errb)
	}
	var res loginResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("login output %q: %v", out, err)
	}
	if res.Username != fakeauthority.DefaultUsername || res.HomeAccountID != fakeauthority.DefaultUserObjectID+"."+fakeauthority.DefaultTenantID {
		t.Errorf("login = %+v", res)
	}
	fa := (*fakes)[0]
	if fa.Count(fakeauthority.EndpointToken) != 1 || fa.Count(fakeauthority.EndpointKeys) == 0 || fa.Count(fakeauthority.EndpointDeviceCode) != 0 {
		t.Errorf("fake authority saw %v, want one token request (the broker's) and the keys fetch (the ID token check)", fa.Counts())
	}
	if !strings.Contains(errb.String(), "Fake broker") {
		t.Errorf("stderr %q does not say the fake broker signed in", errb)
	}
}

// TestLoginBrokerUnavailable: with no broker, login --flow broker fails
// with exit 1 and names the flows to use instead.
func TestLoginBrokerUnavailable(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	io, out, errb := testIO(t, nil)
	if code := run(t.Context(), []string{"login", "--flow", "broker"}, io); code != exitFailed {
		t.Fatalf("exit %d; stderr:\n%s", code, errb)
	}
	if !strings.Contains(errb.String(), "--flow browser or --flow device") || out.Len() != 0 {
		t.Errorf("stderr %q, stdout %q", errb, out)
	}
}
