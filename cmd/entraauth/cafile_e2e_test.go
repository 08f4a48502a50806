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
