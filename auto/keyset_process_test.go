//go:build linux

package auto_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// A refresh in a new process makes one request, the refresh: the key set
// the sign-in process fetched was kept beside the file cache (0600), so
// the ID token of the refresh response verifies without fetching it
// again. Before the key set was kept, run 3 made 2 requests (token and
// keys).
func TestRefreshInNewProcessFetchesNoKeySet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	l := newLifecycle(t)
	for _, store := range []string{"file", "secretservice"} {
		t.Run(store, func(t *testing.T) {
			dir := t.TempDir()
			spec := filepath.Join(dir, "cache.json")
			keys := spec + ".keys.json"
			if store == "secretservice" {
				ss := startKeyring(t) // skips, naming the package, when absent
				name := "keys-" + store
				spec = ss.spec(name)
				keys = filepath.Join(ss.lockDir, name+".lock.keys.json") // beside the lock file
			}
			l.refreshInNewProcess(t, store, spec, keys)
		})
	}
}

// refreshInNewProcess is run 1 (sign in), expire, and run 3 (refresh)
// over one store.
func (l *lifecycle) refreshInNewProcess(t *testing.T, name, spec, keys string) {
	args := []string{"-flow", "password", "-store", spec, "-user", fa.DefaultUsername, "-password", fa.DefaultPassword}
	first, reqs := l.run(t, name+"/1", append(args, "-mode", "signin")...)
	if !strings.HasPrefix(first, "token ") {
		t.Fatalf("run 1: %s", first)
	}
	if n := endpointCount(reqs, fa.EndpointKeys); n != 1 {
		t.Errorf("run 1 fetched the key set %d times; want 1", n)
	}
	if fi, err := os.Stat(keys); err != nil {
		t.Errorf("no key-set file after the sign-in: %v", err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("key-set file mode %#o; want 0600", fi.Mode().Perm())
	}
	if out, _ := l.run(t, name+"/expire", append(args, "-mode", "expire")...); strings.HasPrefix(out, "error") {
		t.Fatalf("expiring the access tokens: %s", out)
	}
	start := time.Now()
	got, reqs := l.run(t, name+"/3", append(args, "-mode", "silent")...)
	t.Logf("run 3 (refresh in a new process): %d requests in %v", len(reqs), time.Since(start))
	_, tok, ref := counts(reqs)
	if !strings.HasPrefix(got, "token ") || got == first || len(reqs) != 1 || tok != 1 || ref != 1 {
		var eps []string
		for _, r := range reqs {
			eps = append(eps, string(r.Endpoint))
		}
		t.Errorf("run 3 (expired): %q, requests %v; want a new token from exactly 1 request, the refresh", got, eps)
	}
}

func endpointCount(reqs []fa.Request, e fa.Endpoint) int {
	n := 0
	for _, r := range reqs {
		if r.Endpoint == e {
			n++
		}
	}
	return n
}
