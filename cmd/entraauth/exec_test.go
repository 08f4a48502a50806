package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// The binary is built once per test run into a temporary directory that
// TestMain removes (a t.TempDir would vanish with the first test using it).
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "entraauth-test-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "entraauth")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// binEnv is a minimal environment with HOME and XDG_CACHE_HOME in a fresh
// directory, so no state leaks into (or out of) the user's own, and no
// session bus, so the cache falls back to the 0600 file deterministically.
// With no DISPLAY, WAYLAND_DISPLAY or BROWSER no browser can open, so
// login's default flow is the device code: these tests check that too.
func binEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{"HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"PATH=" + os.Getenv("PATH"), "DBUS_SESSION_BUS_ADDRESS=", "TERM=xterm", "TZ=UTC"}
}

// TestLoginOnTerminal runs `entraauth login --fake` under a pseudo-terminal
// and checks what the user sees: the code, the URL and a live countdown
// while waiting, and at the end only the signed-in account.
func TestLoginOnTerminal(t *testing.T) {
	bin := binary(t)
	cmd := exec.Command(bin, "login", "--fake")
	cmd.Env = binEnv(t)
	const cols = 100
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var raw bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&raw, ptmx); close(copied) }() // ends with EIO once the child exits
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("login --fake on a terminal: %v", err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("login --fake did not finish in 30s; output so far:\n%q", raw.String())
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
	}
	out := raw.String()
	for _, want := range []string{"Code: ", "Open: http://127.0.0.1:", "Expires in 15:00", "Expires in 14:59"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q (the countdown):\n%q", want, out)
		}
	}
	scr := newScreen(cols)
	scr.Write(raw.Bytes())
	final := scr.text()
	for _, want := range []string{"Signed in as " + fakeauthority.DefaultUsername, "Tenant:          " + fakeauthority.DefaultTenantID,
		"Home account ID: " + fakeauthority.DefaultUserObjectID + "." + fakeauthority.DefaultTenantID, "Token expires:"} {
		if !strings.Contains(final, want) {
			t.Errorf("final screen lacks %q:\n%s", want, final)
		}
	}
	for _, gone := range []string{"Expires in", "Code: ", "enter the code"} {
		if strings.Contains(final, gone) {
			t.Errorf("final screen still shows %q (the prompt was not erased):\n%s", gone, final)
		}
	}
	if scr.unknown != nil {
		t.Errorf("unexpected escape sequences %q", scr.unknown)
	}
}

// TestLoginRedirected runs login and token with output redirected: plain
// lines, no escape sequences, and the exit codes.
func TestLoginRedirected(t *testing.T) {
	bin := binary(t)
	env := binEnv(t)
	runBin := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}
	if _, stderr, code := runBin("token", "--fake"); code != exitAction || !strings.Contains(stderr, "not signed in") {
		t.Errorf("token before login: exit %d, stderr %q; want %d, not signed in", code, stderr, exitAction)
	}
	stdout, stderr, code := runBin("login", "--fake")
	if code != 0 {
		t.Fatalf("login --fake: exit %d\n%s", code, stderr)
	}
	if strings.ContainsAny(stderr, "\x1b\r") {
		t.Errorf("redirected stderr has terminal control characters: %q", stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "Tokens will be kept unencrypted (mode 0600) in ") ||
		!strings.Contains(lines[1], "enter the code") || !strings.HasPrefix(lines[2], "Waiting for sign-in") {
		t.Errorf("redirected stderr = %q; want the cache warning, the message and a waiting line", lines)
	}
	if !strings.HasPrefix(stdout, "Signed in as "+fakeauthority.DefaultUsername+"\n") || !strings.Contains(stdout, "Token expires:") {
		t.Errorf("stdout = %q", stdout)
	}
	stdout, stderr, code = runBin("token", "--fake", "--output", "exec-credential")
	if code != 0 || !strings.Contains(stdout, `"kind": "ExecCredential"`) || !strings.Contains(stdout, `"token": "ey`) {
		t.Errorf("token --fake: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestLoginInterruptedOnTerminal: Ctrl-C while the countdown runs stops
// polling, erases the prompt and exits with status 1.
func TestLoginInterruptedOnTerminal(t *testing.T) {
	bin := binary(t)
	cmd := exec.Command(bin, "login", "--fake", "--fake-manual")
	cmd.Env = binEnv(t)
	const cols = 120
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var raw lockedBuffer
	copied := make(chan struct{})
	go func() { io.Copy(&raw, ptmx); close(copied) }()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(raw.String(), "Expires in"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no countdown in 30s: %q", raw.String())
		}
	}
	ptmx.Write([]byte{3}) // Ctrl-C: the terminal sends SIGINT
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
			t.Errorf("interrupted login: %v, want exit status %d", err, exitFailed)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("login did not stop within 10s of Ctrl-C")
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
	}
	scr := newScreen(cols)
	scr.Write(raw.Bytes())
	final := scr.text()
	if !strings.Contains(final, "sign-in cancelled") || strings.Contains(final, "Expires in") || strings.Contains(final, "Code: ") {
		t.Errorf("final screen after Ctrl-C:\n%s\nwant 'sign-in cancelled' and no prompt", final)
	}
}
