package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestFakeAuthorityCommand serves the fake on loopback, fetches its OpenID
// configuration over TLS with the certificate it wrote, checks that it
// prints the SSH CA its certificates are signed by (sshd's
// TrustedUserCAKeys line), and that stopping saves the state for the
// next --fake command.
func TestFakeAuthorityCommand(t *testing.T) {
	sio, out, errb := testIO(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	var body, served, ca string
	fakeReady = func(a *fakeauthority.Authority) {
		defer cancel()
		served, ca = a.URL(), strings.TrimSpace(a.SSHCAPublicKey())
		resp, err := a.TLSClient().Get(a.AuthorityURL(fakeauthority.DefaultTenantID) + "/v2.0/.well-known/openid-configuration")
		if err != nil {
			t.Errorf("GET openid-configuration: %v", err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
	}
	t.Cleanup(func() { fakeReady = nil })
	if code := run(ctx, []string{"fake-authority"}, sio); code != exitOK {
		t.Fatalf("fake-authority = exit %d: %s", code, errb)
	}
	if !strings.Contains(body, `"issuer"`) {
		t.Errorf("openid-configuration = %q", body)
	}
	if !strings.Contains(out.String(), "Fake authority listening at https://127.0.0.1:") {
		t.Errorf("output = %q", out)
	}
	if !strings.HasPrefix(ca, "ssh-ed25519 ") || !strings.Contains(out.String(), "  SSH CA:      "+ca+" ") {
		t.Errorf("output %q does not show the SSH CA %q", out, ca)
	}
	base, _ := sio.userCacheDir()
	for _, f := range []string{fakeStateFile, fakeCertFile(urlPort(served))} {
		if _, err := os.Stat(filepath.Join(base, "entraauth", "fake", f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}
