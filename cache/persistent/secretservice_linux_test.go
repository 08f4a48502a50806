package persistent

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakebroker"
	"github.com/godbus/dbus/v5"
)

const keyringPassword = "test-keyring-password"

// keyringEnv is a private session bus with a private HOME and
// XDG_RUNTIME_DIR, optionally with gnome-keyring-daemon on it.
type keyringEnv struct {
	addr, home, runtime string
}

// requireBinaries skips (naming the Debian package) or, with
// ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, fails when a binary is missing.
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

// startBus starts a private session bus (conformance/fakebroker's, with
// no service activation, so nothing but the daemons a test starts answers
// on it) and a private HOME and XDG_RUNTIME_DIR for a keyring daemon.
func startBus(t *testing.T) *keyringEnv {
	t.Helper()
	requireBinaries(t, map[string]string{"dbus-daemon": "dbus", "gnome-keyring-daemon": "gnome-keyring"})
	bus, err := fakebroker.StartBus(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	dir, err := os.MkdirTemp("", "ss") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	e := &keyringEnv{addr: bus.Address, home: filepath.Join(dir, "home"), runtime: filepath.Join(dir, "run")}
	for _, d := range []string{e.home, e.runtime} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *keyringEnv) env() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + e.home, "XDG_RUNTIME_DIR=" + e.runtime,
		"XDG_DATA_HOME=" + filepath.Join(e.home, ".local", "share"), "DBUS_SESSION_BUS_ADDRESS=" + e.addr}
}

// startKeyring runs gnome-keyring-daemon on the bus, unlocking (creating on
// first run) the login keyring with the password on stdin, and waits until
// it owns org.freedesktop.secrets. stop kills it.
func (e *keyringEnv) startKeyring(t *testing.T) (stop func()) {
	t.Helper()
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = e.env()
	cmd.Stdin = strings.NewReader(keyringPassword)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop = func() {
		cmd.Process.Kill()
		<-exited
	}
	t.Cleanup(stop)
	c, err := dbus.Connect(e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Ready when the default collection exists and is unlocked.
	for deadline := time.Now().Add(15 * time.Second); ; {
		var coll dbus.ObjectPath
		err := c.Object(ssName, ssPath).Call(ssService+".ReadAlias", 0, "default").Store(&coll)
		if err == nil && coll != noPrompt {
			if v, err := c.Object(ssName, coll).GetProperty(ssCollection + ".Locked"); err == nil && v.Value() == false {
				return stop
			}
		}
		select {
		case <-exited:
			t.Fatalf("gnome-keyring-daemon exited during start: %s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("gnome-keyring-daemon not ready after 15s (last error %v): %s", err, stderr.String())
		}
	}
}

func (e *keyringEnv) store(t *testing.T, opts *SecretServiceOptions) *SecretService {
	t.Helper()
	var o SecretServiceOptions
	if opts != nil {
		o = *opts
	}
	o.BusAddress = e.addr
	o.LockPath = filepath.Join(e.runtime, "cache.lockfile")
	s, err := NewSecretService(&o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ssCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSecretServiceRoundTrip(t *testing.T) {
	e := startBus(t)
	e.startKeyring(t)
	ctx := ssCtx(t)
	st := e.store(t, nil)
	if data, err := st.Read(ctx); err != nil || data != nil {
		t.Fatalf("Read of an empty keyring = %q, %v; want nil, nil", data, err)
	}
	c := cache.New(st, nil)
	at := testAT("ss-secret", "User.Read", time.Hour)
	if err := c.Write(ctx, cache.Update{AccessToken: at}); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, c, cache.Update{AccessToken: testAT("ss-secret-2", "Mail.Read", time.Hour)}) // replaces the item
	c2 := cache.New(st, nil)
	if err := c2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if c2.Len().AccessTokens != 2 {
		t.Errorf("reloaded %d access tokens, want 2", c2.Len().AccessTokens)
	}
	// Exactly one item with the MSAL attributes, found the way libsecret
	// (MSAL .NET, MSAL Go's extension) finds it, holding base64 of our JSON.
	cn, err := st.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cn.c.Close()
	var unlocked, locked []dbus.ObjectPath
	attrs := map[string]string{"MsalClientID": "Microsoft.Developer.IdentityService", "Microsoft.Developer.IdentityService": "1.0.0.0", "xdg:schema": "msal.cache"}
	if err := cn.c.Object(ssName, ssPath).Call(ssService+".SearchItems", 0, attrs).Store(&unlocked, &locked); err != nil {
		t.Fatal(err)
	}
	if len(unlocked) != 1 {
		t.Fatalf("%d items with the MSAL attributes, want 1", len(unlocked))
	}
	t.Run("libsecret finds it", func(t *testing.T) {
		requireBinaries(t, map[string]string{"secret-tool": "libsecret-tools"})
		cmd := exec.Command("secret-tool", "lookup", "MsalClientID", "Microsoft.Developer.IdentityService")
		cmd.Env = e.env()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("secret-tool lookup: %v", err)
		}
		doc, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(out)))
		if err != nil || !strings.Contains(string(doc), "ss-secret-2") {
			t.Errorf("libsecret's view of the item is not base64 of our document (err %v)", err)
		}
	})
}

func TestSecretServiceReadsRawItemFromLibsecret(t *testing.T) {
	requireBinaries(t, map[string]string{"secret-tool": "libsecret-tools"})
	e := startBus(t)
	e.startKeyring(t)
	data, err := os.ReadFile(filepath.Join("..", "testdata", "msal_python.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Azure CLI's libsecret item: schema "Microsoft Azure CLI", attribute
	// type=Token cache, raw JSON payload (MSAL Python's extension).
	cmd := exec.Command("secret-tool", "store", "--label=Azure CLI", "type", "Token cache")
	cmd.Env = e.env()
	cmd.Stdin = strings.NewReader(string(data))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v: %s", err, out)
	}
	st := e.store(t, &SecretServiceOptions{Schema: "Microsoft Azure CLI", Attributes: map[string]string{"type": "Token cache"}, RawPayload: true})
	c := cache.New(st, nil)
	if err := c.Sync(ssCtx(t)); err != nil {
		t.Fatal(err)
	}
	// The account of cache/testdata/msal_python.json (Azure CLI's client).
	if got := c.Accounts(testEnv, testClient); len(got) != 1 || got[0].Username != "alice@contoso.onmicrosoft.com" {
		t.Errorf("Accounts from the libsecret item = %+v, want alice@contoso.onmicrosoft.com", got)
	}
}

func TestSecretServiceLockedCollection(t *testing.T) {
	e := startBus(t)
	e.startKeyring(t)
	ctx := ssCtx(t)
	st := e.store(t, nil)
	mustWrite(t, cache.New(st, nil), cache.Update{AccessToken: testAT("kept", "User.Read", time.Hour)})
	cn, err := st.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var coll dbus.ObjectPath
	cn.c.Object(ssName, ssPath).Call(ssService+".ReadAlias", 0, "default").Store(&coll)
	var lockedObjs []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := cn.c.Object(ssName, ssPath).Call(ssService+".Lock", 0, []dbus.ObjectPath{coll}).Store(&lockedObjs, &prompt); err != nil {
		t.Fatal(err)
	}
	cn.c.Close()
	for _, allowPrompt := range []bool{false, true} {
		st := e.store(t, &SecretServiceOptions{AllowPrompt: allowPrompt})
		c := cache.New(st, nil)
		err := c.Sync(ctx)
		if !errors.Is(err, cache.ErrKeyringLocked) || !strings.Contains(err.Error(), "NewPlaintextFile") {
			t.Errorf("AllowPrompt=%v: Sync on a locked keyring = %v; want cache.ErrKeyringLocked naming the plaintext opt-in", allowPrompt, err)
		}
		err = c.Write(ctx, cache.Update{AccessToken: testAT("new", "Mail.Read", time.Hour)})
		if !errors.Is(err, cache.ErrKeyringLocked) {
			t.Errorf("AllowPrompt=%v: Write on a locked keyring = %v; want cache.ErrKeyringLocked", allowPrompt, err)
		}
	}
}

func TestSecretServiceAbsentProvider(t *testing.T) {
	e := startBus(t) // no keyring daemon on this bus
	st := e.store(t, nil)
	c := cache.New(st, nil)
	err := c.Sync(ssCtx(t))
	if !errors.Is(err, cache.ErrKeyringUnavailable) || !strings.Contains(err.Error(), "NewPlaintextFile") {
		t.Errorf("Sync with no provider = %v; want cache.ErrKeyringUnavailable naming the plaintext opt-in", err)
	}
	if err := c.Write(ssCtx(t), cache.Update{AccessToken: testAT("x", "A", time.Hour)}); !errors.Is(err, cache.ErrKeyringUnavailable) {
		t.Errorf("Write with no provider = %v; want cache.ErrKeyringUnavailable", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	st, err = NewSecretService(&SecretServiceOptions{LockPath: filepath.Join(t.TempDir(), "l")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Read(ssCtx(t)); !errors.Is(err, cache.ErrKeyringUnavailable) {
		t.Errorf("Read with no bus = %v; want cache.ErrKeyringUnavailable", err)
	}
}

func TestSecretServiceVanishesMidRun(t *testing.T) {
	e := startBus(t)
	stop := e.startKeyring(t)
	ctx := ssCtx(t)
	st := e.store(t, nil)
	c := cache.New(st, nil)
	mustWrite(t, c, cache.Update{AccessToken: testAT("before", "User.Read", time.Hour)})
	stop()
	err := c.Write(ctx, cache.Update{AccessToken: testAT("during", "Mail.Read", time.Hour)})
	if !errors.Is(err, cache.ErrKeyringUnavailable) {
		t.Fatalf("Write after the keyring died = %v; want cache.ErrKeyringUnavailable", err)
	}
	var cerr *cache.Error
	if !errors.As(err, &cerr) || strings.Contains(err.Error(), "during") {
		t.Errorf("error %v is not a *cache.Error or leaks the token", err)
	}
	if _, ok := c.AccessToken(atKey("Mail.Read")); !ok {
		t.Errorf("token written while the keyring was gone is not kept in memory")
	}
	e.startKeyring(t) // same HOME and password: the stored item is where it was
	fresh := cache.New(st, nil)
	if err := fresh.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := fresh.AccessToken(atKey("User.Read")); !ok {
		t.Errorf("token stored before the keyring died is gone after it restarted")
	}
}

func TestSecretServiceCorruptItemMovedAside(t *testing.T) {
	e := startBus(t)
	e.startKeyring(t)
	ctx := ssCtx(t)
	st := e.store(t, nil)
	if err := st.Write(ctx, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	c := cache.New(st, nil)
	if err := c.Sync(ctx); !errors.Is(err, cache.ErrCorrupt) {
		t.Fatalf("Sync of a corrupt item = %v; want cache.ErrCorrupt", err)
	}
	err := c.Write(ctx, cache.Update{AccessToken: testAT("x", "A", time.Hour)})
	var cerr *cache.Error
	if !errors.Is(err, cache.ErrCorrupt) || !errors.As(err, &cerr) || !strings.Contains(cerr.Path, "corrupt") {
		t.Fatalf("Write over a corrupt item = %v; want cache.ErrCorrupt naming the moved item", err)
	}
	if err := cache.New(st, nil).Sync(ctx); err != nil {
		t.Errorf("new item does not load: %v", err)
	}
	cn, _ := st.connect(ctx)
	defer cn.c.Close()
	var unlocked, locked []dbus.ObjectPath
	cn.c.Object(ssName, ssPath).Call(ssService+".SearchItems", 0, map[string]string{"entraauth:label": "MSALCache"}).Store(&unlocked, &locked)
	if len(unlocked) != 1 {
		t.Fatalf("%d quarantined items, want 1", len(unlocked))
	}
	var sec ssSecret
	cn.c.Object(ssName, unlocked[0]).Call(ssItem+".GetSecret", 0, cn.session).Store(&sec)
	if doc, _ := decodePayload(sec.Value); string(doc) != "{not json" {
		t.Errorf("quarantined item holds %q, want the original bytes", doc)
	}
}

func TestSecretServiceHugeItemRefused(t *testing.T) {
	e := startBus(t)
	e.startKeyring(t)
	ctx := ssCtx(t)
	big := e.store(t, nil)
	doc := []byte(`{"x":"` + strings.Repeat("a", 8192) + `"}`)
	if err := big.Write(ctx, doc); err != nil {
		t.Fatal(err)
	}
	small := e.store(t, &SecretServiceOptions{MaxSize: 4096})
	c := cache.New(small, nil)
	if err := c.Sync(ctx); !errors.Is(err, cache.ErrTooLarge) {
		t.Errorf("Sync of an oversized item = %v, want cache.ErrTooLarge", err)
	}
	if err := c.Write(ctx, cache.Update{AccessToken: testAT("x", "A", time.Hour)}); !errors.Is(err, cache.ErrTooLarge) {
		t.Errorf("Write over an oversized item = %v, want cache.ErrTooLarge", err)
	}
	if got, err := big.Read(ctx); err != nil || string(got) != string(doc) {
		t.Errorf("the oversized item changed: %v", err)
	}
}
