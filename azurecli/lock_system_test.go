//go:build unix

package azurecli_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/azurecli"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// holdLock is Azure CLI's side of a cache change, with the real
// msal-extensions: take CrossPlatLock on "<cache>.lockfile", read the
// cache, say so, wait, then write what it read plus a marker section, and
// release (PersistedTokenCache.modify: reload, change, save).
const holdLock = `
import json, sys, time
from msal_extensions import CrossPlatLock
path = sys.argv[1]
with CrossPlatLock(path + ".lockfile"):
    with open(path) as f:
        doc = json.load(f)
    print("locked", flush=True)
    time.sleep(1.0)
    doc["LockTestMarker"] = {"k": {"v": "written under the lock"}}
    with open(path, "w") as f:
        json.dump(doc, f)
`

// While msal-extensions holds Azure CLI's cache lock, the credential's
// write-back waits for it: the file ends with both the marker written
// under the lock and the token the credential wrote after. Without the
// lock one of the two writes would be lost.
func TestWriteBackWaitsForAzureCLILock(t *testing.T) {
	// Debian's python3, where python3-msal-extensions installs, may not be
	// the first python3 on PATH.
	py, err := exec.LookPath("/usr/bin/python3")
	if err != nil {
		py, err = exec.LookPath("python3")
	}
	if err == nil {
		err = exec.Command(py, "-c", "import msal_extensions").Run()
	}
	if err != nil {
		const msg = "azurecli: lock test needs msal-extensions (Debian package python3-msal-extensions)"
		if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
			t.Fatal(msg + "; ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1 forbids skipping")
		}
		t.Skip(msg)
	}
	a := fa.New(nil)
	dir, _ := signedIn(t, a)
	path := filepath.Join(dir, "msal_token_cache.json")
	c, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client()}, ConfigDir: dir, DisableSubprocess: true})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", holdLock, path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("python said %q", line)
	}
	tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://vault.azure.net/.default"}})
	if werr := cmd.Wait(); werr != nil {
		t.Fatalf("python: %v", werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "written under the lock") || !strings.Contains(string(b), tok.Token) {
		t.Errorf("marker kept: %v, new token kept: %v; one write lost the other's",
			strings.Contains(string(b), "written under the lock"), strings.Contains(string(b), tok.Token))
	}
}
