package msalpy

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// TestConcurrentWriters: an MSAL Python process and three of ours (each
// its own cache on the file, as a process has) refresh the one account
// for scopes of their own at the same time, each writing the file after
// every refresh. Every write must survive: the file ends valid and holds
// an access token for every scope (a writer that ignored the other side's
// lock would overwrite entries it had not read), and the fake saw the two
// sides' refreshes interleaved. The fake accepts refresh token reuse
// here, as Entra does: two processes redeeming one token at once is a
// race no lock prevents. One Python process, not several: msal-extensions
// 1.0 writes the file in place (O_TRUNC, then write) and reads it without
// the lock, so two MSAL Python processes can read each other's half-written
// file as an empty cache (persistence.py FilePersistence.save,
// token_cache.py PersistedTokenCache.find); we replace the file atomically
// and read it under the lock, so we never see, nor cause, that.
func TestConcurrentWriters(t *testing.T) {
	const ourWriters, perWriter = 3, 10
	e := newEnv(t, &fakeauthority.Options{})
	scope := func(side string, w, i int) string {
		return fmt.Sprintf("api://interop-%s-%d-%d/.default", side, w, i)
	}
	var all []string
	for w := range ourWriters {
		for i := range perWriter {
			all = append(all, scope("go", w, i))
		}
	}
	var pyList []string
	for i := range perWriter {
		pyList = append(pyList, scope("py", 0, i))
	}
	for _, s := range append(all, pyList...) {
		e.fa.Directory().AddResource(fakeauthority.Resource{URI: strings.TrimSuffix(s, "/.default")})
	}
	res := e.py("msal_ropc.py", nil)
	rec := e.recordFor(res["home_account_id"].(string))
	e.fa.ResetLog()

	run := e.start("msal_silent.py", map[string]any{"home_account_id": rec.HomeAccountID, "scope_list": pyList})
	run.waitFor(t, "ready")
	var wg sync.WaitGroup
	errs := make(chan error, ourWriters*perWriter)
	for w := range ourWriters {
		c := e.ourSilent(rec)
		wg.Go(func() {
			for i := range perWriter {
				if _, err := c.GetToken(t.Context(), oauth.TokenOptions{Scopes: []string{scope("go", w, i)}}, nil); err != nil {
					errs <- fmt.Errorf("ours %s: %w", scope("go", w, i), err)
				}
			}
		})
	}
	out, err := run.wait()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(out); strings.Contains(string(b), `"error"`) {
		t.Errorf("MSAL Python writer: %s", b)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	targets := fileTargets(t, e.cache)
	for _, s := range append(all, pyList...) {
		if !targets[s] {
			t.Errorf("the file lost the access token written for %s", s)
		}
	}
	if !interleaved(e.fa.RequestsTo(fakeauthority.EndpointToken)) {
		t.Error("the two sides' refreshes did not overlap: nothing was tested concurrently")
	}
}

// interleaved reports whether one of our token requests came between
// MSAL Python's first and last.
func interleaved(reqs []fakeauthority.Request) bool {
	first, last := -1, -1
	for i, r := range reqs {
		if strings.Contains(r.Params.Get("scope"), "interop-py") {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	for i := first + 1; first >= 0 && i < last; i++ {
		if strings.Contains(reqs[i].Params.Get("scope"), "interop-go") {
			return true
		}
	}
	return false
}

// fileTargets reads the cache file (it must be valid JSON) and returns
// every scope of every access token's target.
func fileTargets(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AccessToken map[string]struct {
			Target string `json:"target"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the shared cache file is not valid JSON after concurrent writes: %v", err)
	}
	out := map[string]bool{}
	for _, at := range doc.AccessToken {
		for _, s := range strings.Fields(at.Target) {
			out[s] = true
		}
	}
	return out
}

// TestPythonWaitsForOurLock: while our library holds the lock
// ("<path>.lockfile", flock), MSAL Python's write waits: it redeems its
// refresh token, then blocks in msal-extensions' CrossPlatLock until we
// let go, and its write then keeps what we wrote under the lock. Had it
// not waited, our write (of the document read before it started) would
// have dropped its new access token.
func TestPythonWaitsForOurLock(t *testing.T) {
	e := newEnv(t, nil)
	res := e.py("msal_ropc.py", nil)
	rec := e.recordFor(res["home_account_id"].(string))
	st, err := cache.NewPlaintextFile(e.cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	release, err := st.Lock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := st.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if held, _ := os.ReadFile(e.cache + ".lockfile"); !strings.HasPrefix(string(held), fmt.Sprint(os.Getpid())+" ") {
		t.Errorf("lock file holds %q, want \"<pid> <program>\" as msal-extensions writes it", held)
	}
	e.fa.ResetLog()
	run := e.start("msal_silent.py", map[string]any{"home_account_id": rec.HomeAccountID, "scopes": []string{vaultScope}})
	for deadline := time.Now().Add(scriptTimeout); e.fa.Count(fakeauthority.EndpointToken) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("MSAL Python never redeemed its refresh token")
		}
	}
	time.Sleep(500 * time.Millisecond) // MSAL Python is at its write, waiting (or, if broken, writing)
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	m["AppMetadata"].(map[string]any)["appmetadata-"+strings.TrimPrefix(e.base, "https://")+"-go-marker"] =
		map[string]any{"client_id": "go-marker", "environment": strings.TrimPrefix(e.base, "https://")}
	b, _ := json.Marshal(m)
	if err := st.Write(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if out, err := run.wait(); err != nil || out["access_token"] == nil {
		t.Fatalf("MSAL Python: %v %v", out, err)
	}
	after, _ := os.ReadFile(e.cache)
	if !fileTargets(t, e.cache)[vaultScope] || !strings.Contains(string(after), "go-marker") {
		t.Errorf("after both writes the file lacks MSAL Python's token (%v) or our marker (%v)",
			fileTargets(t, e.cache)[vaultScope], strings.Contains(string(after), "go-marker"))
	}
}

// TestOursWaitsForPythonLock: while msal-extensions' CrossPlatLock is
// held by a Python process, our write waits for it, and then keeps what
// that process wrote under its lock.
func TestOursWaitsForPythonLock(t *testing.T) {
	e := newEnv(t, nil)
	res := e.py("msal_ropc.py", nil)
	env := strings.TrimPrefix(e.base, "https://")
	_ = res
	hold := e.start("msal_lock_hold.py", nil)
	hold.waitFor(t, "locked")
	c := e.ourCache()
	done := make(chan error, 1)
	go func() {
		done <- c.Write(t.Context(), cache.Update{AppMetadata: &cache.AppMetadata{ClientID: "go-marker", Environment: env}})
	}()
	select {
	case err := <-done:
		t.Fatalf("our write finished (%v) while MSAL Python held the lock", err)
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := hold.stdin.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := hold.wait(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("our write after MSAL Python let go: %v", err)
	}
	after, _ := os.ReadFile(e.cache)
	for _, marker := range []string{"py-marker", "go-marker"} {
		if !strings.Contains(string(after), marker) {
			t.Errorf("the file lacks %s: %s", marker, after)
		}
	}
}
