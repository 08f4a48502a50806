//go:build linux

package auto_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache/persistent"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// lifecycle runs the program in testdata/lifecycle as separate
// processes against one fake authority on loopback TLS.
type lifecycle struct {
	bin, cert string
	a         *fa.Authority
}

func newLifecycle(t *testing.T) *lifecycle {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "lifecycle")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/lifecycle").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	a, err := fa.Listen("127.0.0.1:0", &fa.Options{AutoApprove: true, AutoApproveDevice: time.Millisecond, DeviceInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.Directory().AddUser(fa.User{Username: bobUsername, Password: fa.DefaultPassword, ObjectID: "b0b0b0b0-0000-4000-8000-000000000000"})
	cert := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(cert, a.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return &lifecycle{bin: bin, cert: cert, a: a}
}

const bobUsername = "bob@contoso.onmicrosoft.com"

// run starts one process: stdin is /dev/null, stdout and stderr are
// pipes (no terminal), PATH names no browser opener, no display (so no
// broker window either), no session bus, an empty Azure CLI configuration. It returns the
// program's first output line and the requests the process made.
func (l *lifecycle) run(t *testing.T, tag string, args ...string) (string, []fa.Request) {
	t.Helper()
	return l.runEnv(t, nil, tag, args...)
}

// runEnv is run with env added to the process's environment.
func (l *lifecycle) runEnv(t *testing.T, env []string, tag string, args ...string) (string, []fa.Request) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(l.bin, append([]string{"-authority", l.a.URL(), "-cert", l.cert, "-tag", tag}, args...)...)
	cmd.Env = append([]string{"PATH=" + filepath.Join(home, "bin"), "HOME=" + home, "AZURE_CONFIG_DIR=" + filepath.Join(home, ".azure")}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", tag, err, errOut.String())
	}
	var reqs []fa.Request
	for _, r := range l.a.Requests() {
		if r.Header.Get("X-Test-Case") == tag {
			reqs = append(reqs, r)
		}
	}
	return strings.TrimSpace(out.String()), reqs
}

// counts returns the sign-ins (authorize, device code, password grant)
// and the token requests among reqs.
func counts(reqs []fa.Request) (signIns, token, refresh int) {
	for _, r := range reqs {
		switch {
		case r.Endpoint == fa.EndpointAuthorize || r.Endpoint == fa.EndpointDeviceCode:
			signIns++
		case r.Endpoint == fa.EndpointToken:
			token++
			if r.GrantType == "password" {
				signIns++
			}
			if r.GrantType == "refresh_token" {
				refresh++
			}
		}
	}
	return
}

// The user's lifecycle across processes, for each credential, with and
// without an AuthenticationRecord: run 1 signs in; run 2, a new process
// with no terminal and no browser, gets the token with no sign-in and at
// most one token request; with the access token expired, run 3 makes
// exactly one refresh request; with two users in the cache and no
// record, a run gets a typed error naming the credential and the count,
// and neither token. (Before the engine read the storage first, run 2
// of every credential without a record signed in again or failed.)
func TestLifecycleAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	l := newLifecycle(t)
	ss := startKeyring(t)
	pw := []string{"-user", fa.DefaultUsername, "-password", fa.DefaultPassword}
	for _, store := range []string{"file", "secretservice"} {
		for _, flow := range []string{"device", "browser", "password", "auto"} {
			for _, record := range []bool{false, true} {
				name := store + "/" + flow + map[bool]string{false: "/no-record", true: "/record"}[record]
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					dir := t.TempDir()
					spec := filepath.Join(dir, "cache.json")
					if store == "secretservice" {
						spec = ss.spec(name)
					}
					args := append([]string{"-flow", flow, "-store", spec}, pw...)
					if record {
						args = append(args, "-record", filepath.Join(dir, "record.json"))
					}
					l.lifecycle(t, name, args)
				})
			}
		}
	}
	// Two users in either store, no record. (The password credential
	// names its user, so it is bound and has no such case.)
	for _, tc := range []struct{ store, flow, name string }{
		{"file", "device", "devicecode"}, {"file", "browser", "loopback"}, {"file", "auto", "loopback"},
		{"secretservice", "device", "devicecode"}, {"secretservice", "browser", "loopback"}, {"secretservice", "auto", "loopback"},
	} {
		name := tc.store + "/" + tc.flow + "/two-accounts"
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := filepath.Join(t.TempDir(), "cache.json")
			if tc.store == "secretservice" {
				store = ss.spec(name)
			}
			var tokens []string
			for _, u := range []string{fa.DefaultUsername, bobUsername} {
				out, _ := l.run(t, name+"/"+u, "-flow", "password", "-store", store, "-mode", "signin", "-user", u, "-password", fa.DefaultPassword)
				tokens = append(tokens, out)
			}
			got, reqs := l.run(t, name+"/silent", "-flow", tc.flow, "-store", store, "-mode", "silent")
			if s, tok, _ := counts(reqs); s != 0 || tok != 0 {
				t.Errorf("%d sign-ins, %d token requests; want none", s, tok)
			}
			if !strings.Contains(got, "noaccount "+tc.name+" 2") {
				t.Errorf("got %q; want a NoAccountError of %s with 2 accounts", got, tc.name)
			}
			for _, tok := range tokens {
				if strings.Contains(got, strings.TrimPrefix(tok, "token ")) {
					t.Errorf("a user's token came back: %q", got)
				}
			}
		})
	}
}

// lifecycle is run 1 (sign in), run 2 (silent) and run 3 (silent after
// the access token expired) of one program.
func (l *lifecycle) lifecycle(t *testing.T, name string, args []string) {
	first, _ := l.run(t, name+"/1", append(args, "-mode", "signin")...)
	if !strings.HasPrefix(first, "token ") {
		t.Fatalf("run 1: %s", first)
	}
	got, reqs := l.run(t, name+"/2", append(args, "-mode", "silent")...)
	if s, tok, _ := counts(reqs); got != first || s != 0 || tok > 1 {
		t.Errorf("run 2: %q (same token: %v), %d sign-ins, %d token requests; want the token, 0, <= 1", got, got == first, s, tok)
	}
	if out, _ := l.run(t, name+"/expire", append(args, "-mode", "expire")...); strings.HasPrefix(out, "error") {
		t.Fatalf("expiring the access tokens: %s", out)
	}
	got, reqs = l.run(t, name+"/3", append(args, "-mode", "silent")...)
	if s, tok, ref := counts(reqs); !strings.HasPrefix(got, "token ") || got == first || s != 0 || tok != 1 || ref != 1 {
		t.Errorf("run 3 (expired): %q, %d sign-ins, %d token requests, %d refreshes; want a new token, 0, 1, 1", got, s, tok, ref)
	}
}

// keyring is gnome-keyring-daemon's Secret Service on a private bus.
type keyring struct{ addr, lockDir string }

// spec names a Secret Service item of its own for one test case.
func (k *keyring) spec(name string) string {
	return "ss:" + k.addr + "|" + name + "|" + filepath.Join(k.lockDir, strings.ReplaceAll(name, "/", "-")+".lock")
}

// startKeyring runs gnome-keyring-daemon (login keyring unlocked with a
// password on stdin) on a private bus with a private HOME; it skips
// (naming the Debian packages) or, with ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1,
// fails when they are missing.
func startKeyring(t *testing.T) *keyring {
	t.Helper()
	if _, err := exec.LookPath("gnome-keyring-daemon"); err != nil {
		msg := "gnome-keyring-daemon not found: install the Debian package gnome-keyring"
		if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bus := startBus(t)
	dir, err := os.MkdirTemp("", "kr") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_RUNTIME_DIR=" + dir,
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"), "DBUS_SESSION_BUS_ADDRESS=" + bus.Address}
	cmd.Stdin = strings.NewReader("test-keyring-password")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	k := &keyring{addr: bus.Address, lockDir: dir}
	st, err := persistent.NewSecretService(&persistent.SecretServiceOptions{BusAddress: bus.Address,
		Attributes: map[string]string{"entraauth-test": "probe"}, LockPath: filepath.Join(dir, "probe.lock")})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := st.Write(ctx, []byte("{}"))
		cancel()
		if err == nil {
			return k
		}
		if time.Now().After(deadline) {
			t.Fatalf("gnome-keyring-daemon's Secret Service not ready after 15s: %v", err)
		}
	}
}
