package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestTokenTrustsLoginCAWithSSLCertFile: a machine whose environment sets
// SSL_CERT_FILE (often to the system bundle, as many CI images and
// developer shells do) signs in with --ca-file against the
// fake-authority process; a later `token` for a new scope, which must
// reach the authority, still trusts the CA file login remembered. (It
// used to take SSL_CERT_FILE instead and fail with "certificate signed
// by unknown authority"; only a token served from the cache worked.)
func TestTokenTrustsLoginCAWithSSLCertFile(t *testing.T) {
	base, cert := startFakeAuthority(t)
	other := filepath.Join(t.TempDir(), "bundle.pem") // a CA file that does not hold the fake's certificate
	if err := os.WriteFile(other, fakeauthority.Start(t, nil).CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(binEnv(t), "SSL_CERT_FILE="+other)
	stdout, stderr, code := runBinary(t, env, "", "login", "--authority-host", base, "--disable-instance-discovery",
		"--ca-file", cert, "--flow", "device", "--tenant", fakeauthority.DefaultTenantDomain)
	if code != exitOK || !strings.HasPrefix(stdout, "Signed in as "+fakeauthority.DefaultUsername) {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	tok, stderr, code := runBinary(t, env, "", "token", "--output", "raw", "--scope", "https://management.azure.com/.default")
	if code != exitOK || strings.Count(strings.TrimSpace(tok), ".") != 2 {
		t.Errorf("token for a new scope: exit %d, stdout %q, stderr %q", code, tok, stderr)
	}
}

// After login's CA file is deleted (a CA rotated away), a silent command
// given a working CA, by --ca-file or SSL_CERT_FILE, still runs: an
// explicit --ca-file replaces login's file, and a login file that cannot
// be read is said on stderr and skipped.
func TestTokenAfterLoginCAFileDeleted(t *testing.T) {
	base, cert := startFakeAuthority(t)
	dir := t.TempDir()
	old := filepath.Join(dir, "old.pem")
	b, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, b, 0o600); err != nil {
		t.Fatal(err)
	}
	env := binEnv(t)
	if stdout, stderr, code := runBinary(t, env, "", "login", "--authority-host", base, "--disable-instance-discovery",
		"--ca-file", old, "--flow", "device"); code != exitOK {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if err := os.Remove(old); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, scope string // a scope not cached yet: the token needs a request
		env         []string
		args        []string
		wantNotice  bool
	}{
		{"--ca-file", "https://management.azure.com/.default", env, []string{"--ca-file", cert}, false},
		{"SSL_CERT_FILE", "https://vault.azure.net/.default", append(append([]string(nil), env...), "SSL_CERT_FILE="+cert), nil, true},
	} {
		args := append([]string{"token", "--output", "raw", "--scope", tc.scope}, tc.args...)
		tok, stderr, code := runBinary(t, tc.env, "", args...)
		if code != exitOK || strings.Count(strings.TrimSpace(tok), ".") != 2 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tc.name, code, tok, stderr)
		}
		if got := strings.Contains(stderr, "not trusting the CA file login remembered"); got != tc.wantNotice {
			t.Errorf("%s: stderr %q; notice of the unreadable login CA file: %v, want %v", tc.name, stderr, got, tc.wantNotice)
		}
	}
}
