package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"golang.org/x/crypto/ssh"
)

// TestSSHCertWithOpenSSH is the proof with real parts: Debian's sshd,
// trusting the fake authority's SSH CA and mapping the fake user's UPN to
// the login user through AuthorizedPrincipalsFile, lets Debian's ssh in
// with the certificate `entraauth ssh-cert --fake` wrote, and refuses a
// certificate for another user, an expired one and one for another key.
//
// Debian's ssh never signs with a key that does not match the
// certificate: given one (`ssh -v` shows it), it offers the certificate,
// sshd accepts the key ("Server accepts key", a query without a
// signature), and ssh then finds "no separate private key for
// certificate" and gives up on it. So that case shows OpenSSH's client
// refusing. To show sshd refusing, a Go client presents the same
// certificate with a signature by another key; the same client with the
// certificate's own key is the control.
func TestSSHCertWithOpenSSH(t *testing.T) {
	requireBinaries(t, map[string]string{"/usr/sbin/sshd": "openssh-server", "ssh": "openssh-client"})
	env := binEnv(t)
	if _, stderr, code := runBinary(t, env, "", "login", "--fake"); code != exitOK {
		t.Fatalf("login: %d %s", code, stderr)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "id_rsa")
	stdout, stderr, code := runBinary(t, env, "", "ssh-cert", "--fake", "--key", key)
	if code != exitOK || !strings.Contains(stdout, "principals: "+fakeauthority.DefaultUsername) {
		t.Fatalf("ssh-cert: %d %q %q", code, stdout, stderr)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v %v", fi, err)
	}
	_, caLine, ok := strings.Cut(stdout, "fake CA: ")
	if !ok {
		t.Fatalf("no fake CA in %q", stdout)
	}
	fa := restoreCLIFake(t, env)
	if got := strings.TrimSpace(fa.SSHCAPublicKey()); got != strings.TrimSpace(caLine) {
		t.Fatalf("CA %q, printed %q", got, caLine)
	}
	port := startSSHD(t, dir, fa.SSHCAPublicKey(), fakeauthority.DefaultUsername)

	pubBytes, _ := os.ReadFile(key + ".pub")
	pub, _, _, _, err := ssh.ParseAuthorizedKey(pubBytes)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	other := filepath.Join(dir, "other")
	if _, err := generateKey(other); err != nil {
		t.Fatal(err)
	}
	writeCert := func(name string, k ssh.PublicKey, principal string, from, until time.Time) string {
		c, err := fa.SignSSHCertificate(k, "test", []string{principal}, from, until)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, ssh.MarshalAuthorizedKey(c), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, identity, cert string
		ok                   bool
	}{
		{"entraauth ssh-cert", key, key + "-cert.pub", true},
		{"another user", key, writeCert("bob", pub, "bob@contoso.onmicrosoft.com", now.Add(-time.Minute), now.Add(time.Hour)), false},
		{"expired", key, writeCert("expired", pub, fakeauthority.DefaultUsername, now.Add(-2*time.Hour), now.Add(-time.Hour)), false},
		// the certificate without its private key: ssh itself drops it
		{"another key", other, key + "-cert.pub", false},
	} {
		out, err := sshLogin(t, port, tc.identity, tc.cert)
		if got := err == nil && strings.TrimSpace(out) == "ok"; got != tc.ok {
			t.Errorf("%s: login %v, want %v (%v, %q)", tc.name, got, tc.ok, err, out)
		}
	}
	certSignedBy(t, port, key+"-cert.pub", map[string]string{key: "the certificate's key", other: "another key"}, key)
}

// restoreCLIFake reads the state the CLI's --fake keeps.
func restoreCLIFake(t *testing.T, env []string) *fakeauthority.Authority {
	t.Helper()
	var cacheDir string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "XDG_CACHE_HOME="); ok {
			cacheDir = v
		}
	}
	state, err := os.ReadFile(filepath.Join(cacheDir, "entraauth", "fake", fakeStateFile))
	if err != nil {
		t.Fatal(err)
	}
	fa, err := fakeauthority.Restore(state, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fa
}

// startSSHD runs sshd in the foreground on a loopback port, unprivileged
// where the test is, with its own host key, and returns the port.
func startSSHD(t *testing.T, dir, ca, principal string) int {
	t.Helper()
	if os.Geteuid() == 0 {
		// sshd as root needs its privilege-separation directory, which
		// Debian's service creates at boot.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	blk, err := ssh.MarshalPrivateKey(hostPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	files := map[string]string{
		"host_key": string(pem.EncodeToMemory(blk)), "ca.pub": ca, "principals": principal + "\n",
		"sshd_config": strings.Join([]string{
			"Port " + strconv.Itoa(port), "ListenAddress 127.0.0.1", "HostKey " + filepath.Join(dir, "host_key"),
			"PidFile none", "StrictModes no", "UsePAM no", "PasswordAuthentication no",
			"KbdInteractiveAuthentication no", "AuthorizedKeysFile none", "PubkeyAuthentication yes",
			"TrustedUserCAKeys " + filepath.Join(dir, "ca.pub"), "AuthorizedPrincipalsFile " + filepath.Join(dir, "principals"),
			"ForceCommand echo ok", "LogLevel VERBOSE", "MaxStartups 20", "",
		}, "\n"),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := exec.CommandContext(ctx, "/usr/sbin/sshd", "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	var logb bytes.Buffer
	cmd.Stderr = &logb
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", logb.String())
		}
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd did not listen in 5s: %s", logb.String())
		}
	}
}

// sshLogin runs Debian's ssh as the current user with identity and cert.
func sshLogin(t *testing.T, port int, identity, cert string) (string, error) {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ssh", "-F", "none", "-p", strconv.Itoa(port), "-i", identity,
		"-o", "CertificateFile="+cert, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
		"-o", "ConnectTimeout=5", "-o", "PreferredAuthentications=publickey", "-o", "LogLevel=ERROR",
		"-l", u.Username, "127.0.0.1", "true")
	out, err := cmd.Output()
	return string(out), err
}
