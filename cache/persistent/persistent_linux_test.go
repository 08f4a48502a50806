package persistent

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
)

// With a Secret Service, the named cache is azure-identity's item: schema
// the cache name, attribute MsalClientID, the JSON document as the secret
// (as msal-extensions stores it); the signal file and the lock file are
// beside where the fallback file would be.
func TestNewUsesSecretService(t *testing.T) {
	requireBinaries(t, map[string]string{"secret-tool": "libsecret-tools"})
	e := startBus(t)
	e.startKeyring(t)
	dir := t.TempDir()
	st, err := New(ssCtx(t), &Options{Name: "myapp", Dir: dir, BusAddress: e.addr})
	must(t, err)
	if !Encrypted(st) {
		t.Fatalf("storage %T is not encrypted", st)
	}
	c := cache.New(st, nil)
	if err := c.Write(ssCtx(t), cache.Update{AccessToken: testAT("in-keyring", "User.Read", time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("secret-tool", "lookup", "xdg:schema", "myapp", "MsalClientID", "Microsoft.Developer.IdentityService")
	cmd.Env = e.env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	if !strings.HasPrefix(string(out), "{") || !strings.Contains(string(out), "in-keyring") {
		t.Errorf("the item does not hold the JSON document: %.40q", out)
	}
	// Another name is another item, as msal-extensions' schemas (matched
	// by name) keep azure-identity's named caches apart.
	other, err := New(ssCtx(t), &Options{Name: "otherapp", Dir: dir, BusAddress: e.addr})
	must(t, err)
	if doc, err := other.Read(ssCtx(t)); err != nil || strings.Contains(string(doc), "in-keyring") {
		t.Errorf("cache otherapp read myapp's item: %.40q, %v", doc, err)
	}
	fi, err := os.Lstat(filepath.Join(dir, "myapp"))
	if err != nil || fi.Size() != 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("signal file: %v, %v", fi, err)
	}
}

// Without a Secret Service the cache is an error unless unencrypted
// storage was allowed; then it is the plaintext file Dir/Name.
func TestNewWithoutSecretService(t *testing.T) {
	e := startBus(t) // no keyring daemon
	dir := t.TempDir()
	_, err := New(ssCtx(t), &Options{Dir: dir, BusAddress: e.addr})
	if !errors.Is(err, cache.ErrEncryptionUnavailable) || !errors.Is(err, cache.ErrKeyringUnavailable) {
		t.Fatalf("no Secret Service, not allowed: %v", err)
	}
	st, err := New(ssCtx(t), &Options{Dir: dir, BusAddress: e.addr, AllowUnencryptedStorage: true})
	must(t, err)
	if fs, ok := st.(*cache.FileStorage); !ok || Encrypted(st) || fs.Path() != filepath.Join(dir, "msal.cache") {
		t.Errorf("fallback = %T, encrypted %v", st, Encrypted(st))
	}
}
