package engine_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// The key set kept beside a file cache, one rule per case: a "process" is
// a client with a transport of its own (so no key set is shared in
// memory) and a cache over the same file, emptied of tokens so that each
// run redeems a password and verifies an ID token. Run 1 fetches and
// stores the key set; the case changes the stored file (or the clock);
// run 2 signs in again and the fake counts key-set fetches.
func TestKeySetKeptAcrossProcesses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, path string) // nil: leave it
		fetch  int                             // key-set fetches by run 2
	}{
		{"fresh is used", nil, 0},
		{"after 24 hours refetched", func(*testing.T, string) { time.Sleep(cache.KeySetMaxAge + time.Minute) }, 1},
		{"under 24 hours used", func(*testing.T, string) { time.Sleep(cache.KeySetMaxAge - time.Minute) }, 0},
		{"another authority ignored", editSets(func(s map[string]any) { s["authority"] = "https://login.microsoftonline.com/other" }), 1},
		{"another jwks_uri ignored", editSets(func(s map[string]any) { s["jwks_uri"] = s["jwks_uri"].(string) + "x" }), 1},
		{"unknown kid refetched", editSets(func(s map[string]any) {
			keys := s["keys"].(map[string]any)["keys"].([]any)
			for _, k := range keys {
				k.(map[string]any)["kid"] = "rotated-away"
			}
		}), 1},
		{"corrupt ignored", func(t *testing.T, p string) { writeFile(t, p, []byte(`{"version":1,"key_sets":[{`)) }, 1},
		{"fetched in the future ignored", editSets(func(s map[string]any) { s["fetched_at"] = float64(time.Now().Add(time.Hour).Unix()) }), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := fa.New(nil)
				file := filepath.Join(t.TempDir(), "cache.json")
				run := func() { // signs in afresh: the tokens are forgotten, the keys kept
					if err := os.Remove(file); err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
					st, err := cache.NewPlaintextFile(file, nil)
					if err != nil {
						t.Fatal(err)
					}
					hc := &http.Client{Transport: &padKeys{base: a.Client().Transport}}
					mustToken(t, newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
						o.HTTPClient, o.Cache = hc, cache.New(st, nil)
					}), graph)
				}
				run()
				keys := file + ".keys.json"
				fi, err := os.Stat(keys)
				if err != nil {
					t.Fatalf("run 1 stored no key set: %v", err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("key-set file mode %#o, want 0600", fi.Mode().Perm())
				}
				if tc.change != nil {
					tc.change(t, keys)
				}
				before := a.Count(fa.EndpointKeys)
				run()
				if n := a.Count(fa.EndpointKeys) - before; n != tc.fetch {
					t.Errorf("run 2 fetched the key set %d times, want %d", n, tc.fetch)
				}
				if tc.fetch > 0 { // the fetched set replaced the stored one
					before = a.Count(fa.EndpointKeys)
					run()
					if n := a.Count(fa.EndpointKeys) - before; n != 0 {
						t.Errorf("run 3 fetched the key set %d times, want 0", n)
					}
				}
			})
		})
	}
}

// editSets rewrites every stored key set with edit.
func editSets(edit func(map[string]any)) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		for _, s := range d["key_sets"].([]any) {
			edit(s.(map[string]any))
		}
		b, _ = json.Marshal(d)
		writeFile(t, path, b)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A key set shared in memory with a client whose cache keeps no key set
// (memory only) is still stored by the next client whose cache does.
func TestKeySetStoredAfterMemoryOnlyClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		hc := &http.Client{Transport: &padKeys{base: a.Client().Transport}}
		mustToken(t, newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.HTTPClient = hc }), graph)
		file := filepath.Join(t.TempDir(), "cache.json")
		st, err := cache.NewPlaintextFile(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		// A new kid makes the shared key set fetch again, now stored.
		a.RotateKey()
		mustToken(t, newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.HTTPClient, o.Cache = hc, cache.New(st, nil)
		}), graph)
		if _, err := os.Stat(file + ".keys.json"); err != nil {
			t.Errorf("the file cache's client stored no key set: %v", err)
		}
	})
}
