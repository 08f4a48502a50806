package main

import (
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestTrace: --trace shows each exchange, and no token, device code or
// client_info from the wire appears in it.
func TestTrace(t *testing.T) {
	fakes := captureFakes(t)
	io, out, errb := testIO(t, nil)
	if code := run(t.Context(), []string{"login", "--fake", "--flow", "device", "--trace", "--output", "json"}, io); code != exitOK {
		t.Fatalf("login --trace = exit %d: %s", code, errb)
	}
	trace := errb.String()
	for _, want := range []string{"> POST https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode",
		"device_code=[redacted]", `"error":"authorization_pending"`, `"access_token":"[redacted]"`, `"refresh_token":"[redacted]"`} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
	var secrets []string
	for _, r := range (*fakes)[0].RequestsTo(fakeauthority.EndpointToken) {
		secrets = append(secrets, r.Params.Get("device_code"))
	}
	out.Reset()
	if code := run(t.Context(), []string{"token", "--fake", "--output", "raw"}, io); code != exitOK {
		t.Fatalf("token: exit %d", code)
	}
	secrets = append(secrets, strings.TrimSpace(out.String()))
	for _, s := range secrets {
		if s == "" || strings.Contains(trace, s) {
			t.Errorf("a secret (%d bytes) is empty or appears in the trace", len(s))
		}
	}
}

func TestRedactForm(t *testing.T) {
	got := redactForm("refresh_token=rt&scope=a+b&password=p&grant_type=refresh_token")
	want := "grant_type=refresh_token password=[redacted] refresh_token=[redacted] scope=a b"
	if got != want {
		t.Errorf("redactForm() = %q, want %q", got, want)
	}
}
