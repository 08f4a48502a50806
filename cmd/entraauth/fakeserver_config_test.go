package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestFakeAuthorityConfig serves the fake from the --help example config:
// its first token request meets the configured 503, then the configured
// user signs in with the password grant over TLS.
func TestFakeAuthorityConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fake.json")
	if err := os.WriteFile(path, []byte(fakeauthority.ConfigExample), 0o600); err != nil {
		t.Fatal(err)
	}
	sio, out, errb := testIO(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	var statuses []int
	fakeReady = func(a *fakeauthority.Authority) {
		defer cancel()
		form := url.Values{"grant_type": {"password"}, "client_id": {fakeauthority.AzureCLIClientID},
			"username": {"ci@contoso.onmicrosoft.com"}, "password": {"ci-password"}, "scope": {"https://graph.microsoft.com/.default"}}
		for range 2 {
			resp, err := a.TLSClient().PostForm(a.AuthorityURL("contoso.onmicrosoft.com")+"/oauth2/v2.0/token", form)
			if err != nil {
				t.Errorf("token request: %v", err)
				return
			}
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
		}
	}
	t.Cleanup(func() { fakeReady = nil })
	if code := run(ctx, []string{"fake-authority", "--config", path}, sio); code != exitOK {
		t.Fatalf("fake-authority --config = exit %d: %s", code, errb)
	}
	if len(statuses) != 2 || statuses[0] != http.StatusServiceUnavailable || statuses[1] != http.StatusOK {
		t.Errorf("token statuses = %v, want [503 200] (the configured fault, then the configured user)", statuses)
	}
	if !strings.Contains(out.String(), "/7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f") || strings.Contains(out.String(), "state is saved") {
		t.Errorf("output = %q", out)
	}
	base, _ := sio.userCacheDir()
	if _, err := os.Stat(filepath.Join(base, "entraauth", "fake", fakeStateFile)); err == nil {
		t.Errorf("a --config run saved the state file")
	}
}

func TestFakeAuthorityConfigErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"users":[]`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, file, want string }{
		{"missing file", filepath.Join(t.TempDir(), "none.json"), "no such file"},
		{"bad JSON", bad, "bad config"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sio, _, errb := testIO(t, nil)
			if code := run(t.Context(), []string{"fake-authority", "--config", tt.file}, sio); code == exitOK {
				t.Fatalf("exit %d, want an error", code)
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr = %q, want %q", errb, tt.want)
			}
		})
	}
	sio, _, errb := testIO(t, nil)
	run(t.Context(), []string{"fake-authority", "--help"}, sio)
	if !strings.Contains(errb.String(), `"auto_approve_device": "2s"`) || !strings.Contains(errb.String(), "-config file") {
		t.Errorf("--help does not show the example config: %q", errb)
	}
}
