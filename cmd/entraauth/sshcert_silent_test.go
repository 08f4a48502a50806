package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestSSHCertSilentAsToken: ssh-cert is silent as token is. Without a
// login both say to run one; when the refresh token is refused both give
// the same advice and the authority's reason, after the one refused
// refresh and no sign-in step, and ssh-cert writes no certificate.
func TestSSHCertSilentAsToken(t *testing.T) {
	key := filepath.Join(t.TempDir(), "id_rsa")
	says := map[string]string{}
	for _, cmd := range [][]string{{"token", "--fake"}, {"ssh-cert", "--fake", "--key", key}} {
		io, _, errb := testIO(t, nil)
		if code := run(t.Context(), cmd, io); code != exitAction {
			t.Fatalf("%s without a login = exit %d; stderr:\n%s", cmd[0], code, errb)
		}
		says[cmd[0]] = advice(errb.String(), cmd[0])
	}
	if says["ssh-cert"] != says["token"] || !strings.Contains(says["token"], "not signed in") {
		t.Errorf("without a login ssh-cert says %q, token says %q", says["ssh-cert"], says["token"])
	}

	t.Cleanup(func() { onFake = nil })
	// token asks a scope login did not cache, so both must refresh.
	for _, cmd := range [][]string{{"token", "--fake", "--scope", "https://storage.azure.com/.default"}, {"ssh-cert", "--fake", "--key", key}} {
		io, _, errb := testIO(t, nil)
		onFake = nil
		if code := run(t.Context(), []string{"login", "--fake", "--flow", "device"}, io); code != exitOK {
			t.Fatalf("login = exit %d; stderr:\n%s", code, errb)
		}
		errb.Reset()
		var fa *fakeauthority.Authority
		onFake = func(a *fakeauthority.Authority) { a.RevokeRefreshTokens(fakeauthority.DefaultUsername); fa = a }
		if code := run(t.Context(), cmd, io); code != exitAction {
			t.Fatalf("%s with a refused refresh token = exit %d; stderr:\n%s", cmd[0], code, errb)
		}
		says[cmd[0]] = advice(errb.String(), cmd[0])
		if !strings.Contains(errb.String(), "AADSTS50173") {
			t.Errorf("%s does not give the authority's reason: %q", cmd[0], errb)
		}
		if n := fa.Count(fakeauthority.EndpointToken); n != 1 {
			t.Errorf("%s made %d token requests, want 1 (the refused refresh)", cmd[0], n)
		}
	}
	if says["ssh-cert"] != says["token"] || !strings.Contains(says["token"], "sign-in needed") {
		t.Errorf("with a refused refresh token ssh-cert says %q, token says %q", says["ssh-cert"], says["token"])
	}
	if _, err := os.Stat(key + "-cert.pub"); err == nil {
		t.Error("ssh-cert wrote a certificate")
	}
}

// advice is the command's message without its name and the engine's
// error that follows it.
func advice(stderr, cmd string) string {
	s := strings.TrimPrefix(strings.TrimSpace(stderr), "entraauth "+cmd+": ")
	s, _, _ = strings.Cut(s, ": oauth:")
	return s
}
