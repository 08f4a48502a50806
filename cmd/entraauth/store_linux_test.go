package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache/persistent"
	"github.com/entraauth/entraauth/conformance/fakebroker"
)

// startKeyring starts a private session bus and gnome-keyring-daemon on it
// (login keyring unlocked with a test password), and returns the
// environment that reaches them and a function that stops the keyring.
func startKeyring(t *testing.T) (env []string, stopKeyring func()) {
	return startKeyringWith(t, true)
}

// startKeyringWith is startKeyring; with loginKeyring false the daemon
// starts with no keyring at all, so the Secret Service answers but has no
// default collection (a fresh account on a headless machine).
func startKeyringWith(t *testing.T, loginKeyring bool) (env []string, stopKeyring func()) {
	t.Helper()
	requireBinaries(t, map[string]string{"dbus-daemon": "dbus", "gnome-keyring-daemon": "gnome-keyring"})
	dir, err := os.MkdirTemp("", "ea") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	home, runtime := filepath.Join(dir, "h"), filepath.Join(dir, "r")
	for _, d := range []string{home, runtime} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// A bus with no service activation (conformance/fakebroker's): nothing
	// but the daemons started here answers, so a stopped keyring stays
	// stopped and no second, locked keyring is activated by an early probe.
	bus, err := fakebroker.StartBus(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	addr := bus.Address
	env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_RUNTIME_DIR=" + runtime,
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "TZ=UTC",
		"DBUS_SESSION_BUS_ADDRESS=" + addr}
	kr := exec.Command("gnome-keyring-daemon", "--foreground", "--components=secrets")
	if loginKeyring {
		kr.Args = append(kr.Args, "--unlock")
		kr.Stdin = strings.NewReader("test-keyring-password")
	}
	kr.Env = env
	if err := kr.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { kr.Wait(); close(exited) }()
	stopKeyring = func() { kr.Process.Kill(); <-exited }
	t.Cleanup(stopKeyring)
	st, err := persistent.NewSecretService(&persistent.SecretServiceOptions{BusAddress: addr, LockPath: filepath.Join(dir, "probe.lock")})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err = st.Read(context.Background()); err == nil {
			return env, stopKeyring
		}
		if time.Now().After(deadline) {
			t.Fatalf("gnome-keyring-daemon not ready after 15s: %v", err)
		}
	}
}

// TestSecretServiceCache: with a Secret Service on the session bus, login
// keeps the cache there (no warning, no plain file) and token reads it
// back; without one, --require-encrypted-cache refuses.
func TestSecretServiceCache(t *testing.T) {
	bin := binary(t)
	env, stopKeyring := startKeyring(t)
	runBin := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out.String(), errb.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), 0
	}
	stdout, stderr, code := runBin("login", "--fake", "--require-encrypted-cache")
	if code != 0 || !strings.HasPrefix(stdout, "Signed in as ") {
		t.Fatalf("login with a keyring: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "Tokens will be kept in the Secret Service") || strings.Contains(stderr, "unencrypted") {
		t.Errorf("login with a keyring running did not say it keeps tokens there: %q", stderr)
	}
	var cacheHome string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "XDG_CACHE_HOME="); ok {
			cacheHome = v
		}
	}
	if _, err := os.Stat(filepath.Join(cacheHome, "entraauth", "fake", plainCacheFile)); err == nil {
		t.Errorf("a plain cache file was written although the Secret Service is available")
	}
	if stdout, stderr, code := runBin("token", "--fake", "--output", "raw"); code != 0 || !strings.HasPrefix(stdout, "ey") {
		t.Errorf("token from the keyring: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stopKeyring()
	if _, stderr, code := runBin("token", "--fake", "--require-encrypted-cache"); code != exitFailed || !strings.Contains(stderr, "refuses a plain file") {
		t.Errorf("token with the keyring gone and --require-encrypted-cache: exit %d, stderr %q; want %d and a refusal", code, stderr, exitFailed)
	}
}

// TestSecretServiceNoDefaultCollection: a Secret Service that answers but
// has no default collection is found before the sign-in: login falls back
// to the plain file and says why in its one line, before the prompt; with
// --require-encrypted-cache it stops before the sign-in and says what to
// run. No message names a Go API.
func TestSecretServiceNoDefaultCollection(t *testing.T) {
	env, _ := startKeyringWith(t, false)
	stdout, stderr, code := runBinary(t, env, "", "login", "--fake", "--flow", "device")
	if code != exitOK || !strings.HasPrefix(stdout, "Signed in as ") {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	line, rest, _ := strings.Cut(stderr, "\n")
	if !strings.HasPrefix(line, "Tokens will be kept unencrypted") || !strings.Contains(line, "no default keyring") || !strings.Contains(rest, "enter the code") {
		t.Errorf("login stderr = %q; want the fallback line, naming the missing keyring, before the prompt", stderr)
	}
	if stdout, stderr, code := runBinary(t, env, "", "token", "--fake", "--output", "raw"); code != exitOK || !strings.HasPrefix(stdout, "ey") {
		t.Errorf("token after the fallback: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdout, stderr, code = runBinary(t, env, "", "login", "--fake", "--flow", "device", "--require-encrypted-cache")
	if code != exitFailed || stdout != "" || strings.Contains(stderr, "enter the code") || !strings.Contains(stderr, "gnome-keyring-daemon") {
		t.Errorf("login --require-encrypted-cache: exit %d, stdout %q, stderr %q; want a refusal before the sign-in saying what to run", code, stdout, stderr)
	}
	if strings.Contains(stderr, "cache.New") || strings.Contains(stderr, "NewPlaintextFile") {
		t.Errorf("a message names a Go API: %q", stderr)
	}
}
