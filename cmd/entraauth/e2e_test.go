package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// requireBinaries skips naming the Debian package, or fails when
// ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, when a binary is missing.
func requireBinaries(t *testing.T, bins map[string]string) {
	t.Helper()
	for bin, pkg := range bins {
		if _, err := exec.LookPath(bin); err != nil {
			msg := bin + " not found: install the Debian package " + pkg
			if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// runBinary runs the built binary with env and returns its stdout, stderr
// and exit status.
func runBinary(t *testing.T, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("entraauth %q did not finish in 60s; stderr %q", args, errb.String())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

// startFakeAuthority starts `entraauth fake-authority --auto-approve 1s`
// with extra flags as its own process (its own cache directory) and
// returns its base URL and certificate file.
func startFakeAuthority(t *testing.T, extra ...string) (base, cert string) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"fake-authority", "--auto-approve", "1s"}, extra...)...)
	cmd.Env = binEnv(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		cmd.Wait()
		close(exited)
	}()
	timeout := time.After(30 * time.Second)
	for base == "" || cert == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("fake-authority exited: %s", errb.String())
			}
			if v, ok := strings.CutPrefix(l, "Fake authority listening at "); ok {
				base = v
			}
			if v, ok := strings.CutPrefix(l, "  certificate: "); ok {
				cert = v
			}
		case <-timeout:
			t.Fatalf("fake-authority printed no address in 30s: %s", errb.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	return base, cert
}

// TestAnyAuthorityEndToEnd runs the built binary against a separately
// started fake-authority process, as a user would: login with
// --authority-host https://127.0.0.1:PORT, --disable-instance-discovery
// and --ca-file; then token, status, accounts, decode --verify and logout
// with no authority flags (login remembered them).
func TestAnyAuthorityEndToEnd(t *testing.T) {
	base, cert := startFakeAuthority(t)
	env := binEnv(t)
	stdout, stderr, code := runBinary(t, env, "", "login", "--authority-host", base, "--disable-instance-discovery", "--ca-file", cert, "--flow", "device")
	if code != exitOK || !strings.HasPrefix(stdout, "Signed in as "+fakeauthority.DefaultUsername) {
		t.Fatalf("login against %s: exit %d\nstdout %q\nstderr %q", base, code, stdout, stderr)
	}
	if !strings.Contains(stderr, base+"/devicelogin") || strings.Count(stderr, "Tokens will be kept") != 1 {
		t.Errorf("login stderr = %q; want the fake's device page and one line on the cache", stderr)
	}
	tok, stderr, code := runBinary(t, env, "", "token", "--output", "raw")
	tok = strings.TrimSpace(tok)
	if code != exitOK || strings.Count(tok, ".") != 2 {
		t.Fatalf("token: exit %d, stdout %q, stderr %q", code, tok, stderr)
	}
	if stdout, stderr, code = runBinary(t, env, "", "status"); code != exitOK || !strings.Contains(stdout, "Signed in as "+fakeauthority.DefaultUsername) ||
		!strings.Contains(stdout, "Authority:       "+base) || !strings.Contains(stdout, "Access token:    expires ") || !strings.Contains(stdout, "NOT encrypted") {
		t.Errorf("status: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if stdout, stderr, code = runBinary(t, env, "", "accounts"); code != exitOK || !strings.Contains(stdout, "* "+fakeauthority.DefaultUsername) || stderr != "" {
		t.Errorf("accounts: exit %d, stdout %q, stderr %q; want the account and nothing on stderr", code, stdout, stderr)
	}
	stdout, stderr, code = runBinary(t, env, "", "decode", "--verify", "--ca-file", cert, tok)
	if code != exitOK || !strings.Contains(stdout, "Signature: verified with key ") || !strings.Contains(stdout, base+"/") ||
		!strings.Contains(stdout, "tenant ID: the directory") || !strings.Contains(stdout, " UTC  (") {
		t.Errorf("decode --verify: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// The same token with one claim changed must not verify.
	parts := strings.Split(tok, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	parts[1] = base64.RawURLEncoding.EncodeToString(bytes.Replace(claims, []byte(`"oid":"`), []byte(`"oid":"x`), 1))
	if _, stderr, code = runBinary(t, env, "", "decode", "--verify", "--ca-file", cert, strings.Join(parts, ".")); code != exitFailed || !strings.Contains(stderr, "does NOT verify") {
		t.Errorf("decode --verify of a tampered token: exit %d, stderr %q", code, stderr)
	}
	if stdout, _, code = runBinary(t, env, "", "decode", tok); code != exitOK || !strings.Contains(stdout, "Signature: not verified") {
		t.Errorf("decode without --verify: exit %d, stdout %q", code, stdout)
	}
	// An authority that does not answer: the error names the URL (it holds
	// no secret) and explains nothing it does not know.
	if _, stderr, code = runBinary(t, binEnv(t), "", "login", "--authority-host", "https://127.0.0.1:1", "--disable-instance-discovery", "--flow", "device"); code != exitFailed ||
		!strings.Contains(stderr, "https://127.0.0.1:1/organizations/") || strings.Contains(stderr, "(redacted)") {
		t.Errorf("login against a closed port: exit %d, stderr %q; want the URL that failed", code, stderr)
	}
	if stdout, stderr, code = runBinary(t, env, "", "logout"); code != exitOK || !strings.Contains(stdout, "Signed out "+fakeauthority.DefaultUsername) {
		t.Errorf("logout: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, _, code = runBinary(t, env, "", "token"); code != exitAction {
		t.Errorf("token after logout: exit %d, want %d", code, exitAction)
	}
}

// TestCommandsEmbedded: the conventions, on the built binary with the
// embedded fake: --version, help with double-dash flags and only the
// flows this build has, ENTRAAUTH_FAKE=yes, decode's usage errors, and no
// storage line on commands that store nothing.
func TestCommandsEmbedded(t *testing.T) {
	env := binEnv(t)
	if stdout, _, code := runBinary(t, env, "", "--version"); code != exitOK || !strings.HasPrefix(stdout, "entraauth ") || !strings.Contains(stdout, " go1.") {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
	_, stderr, code := runBinary(t, env, "", "login", "--help")
	if code != exitOK || !strings.Contains(stderr, "  --client-id string") || strings.Contains(stderr, "\n  -client-id") ||
		!strings.Contains(stderr, "sign-in flow: "+flowNames()) {
		t.Errorf("login --help: exit %d, stderr %q; want --flags and the flows of this build", code, stderr)
	}
	if _, stderr, code = runBinary(t, env, "", "login", "--flow", "carrier-pigeon"); code != exitUsage || !strings.Contains(stderr, "available: "+flowNames()) {
		t.Errorf("unknown flow: exit %d, stderr %q", code, stderr)
	}
	envYes := append(append([]string(nil), env...), "ENTRAAUTH_FAKE=yes")
	if stdout, _, code := runBinary(t, envYes, "", "status"); code != exitAction || !strings.HasPrefix(stdout, "Not signed in.") {
		t.Errorf("status before login: exit %d, stdout %q; want %d", code, stdout, exitAction)
	}
	stdout, stderr, code := runBinary(t, envYes, "", "login", "--flow", "device")
	if code != exitOK || !strings.HasPrefix(stdout, "Signed in as ") {
		t.Fatalf("ENTRAAUTH_FAKE=yes login: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, args := range [][]string{{"accounts"}, {"status"}, {"token", "--output", "raw"}, {"token", "--decode"}} {
		stdout, stderr, code := runBinary(t, envYes, "", args...)
		if code != exitOK || stdout == "" || strings.Contains(stderr, "Tokens will be kept") || strings.Contains(stderr, "secret store") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want output and no storage line", args, code, stdout, stderr)
		}
	}
	if _, _, code := runBinary(t, append(env, "ENTRAAUTH_FAKE=maybe"), "", "status"); code != exitUsage {
		t.Errorf("ENTRAAUTH_FAKE=maybe: exit %d, want %d", code, exitUsage)
	}
	if _, stderr, code := runBinary(t, env, "", "decode"); code != exitUsage || !strings.Contains(stderr, "no token given") {
		t.Errorf("decode with empty stdin: exit %d, stderr %q; want %d", code, stderr, exitUsage)
	}
}
