//go:build linux

package auto_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// A program configured with a tenant named by its domain
// (contoso.onmicrosoft.com) is silent in its next process too. Its
// tokens are cached under the tenant's ID, as MSAL Python and `az` key
// them (msal/token_cache.py takes the realm from the token endpoint that
// OpenID discovery names, and the fake's names the ID as Entra's does),
// and the ID is kept beside the cache: run 2 makes no request at all.
// Without that file (a cache that MSAL Python wrote), run 3 asks OpenID
// discovery once and makes no token request.
func TestLifecycleDomainTenant(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	l := newLifecycle(t)
	for _, flow := range []string{"device", "password"} {
		name := "domain/" + flow
		t.Run(flow, func(t *testing.T) {
			t.Parallel()
			store := filepath.Join(t.TempDir(), "cache.json")
			args := []string{"-flow", flow, "-store", store, "-tenant", fa.DefaultTenantDomain,
				"-user", fa.DefaultUsername, "-password", fa.DefaultPassword}
			first, _ := l.run(t, name+"/1", append(args, "-mode", "signin")...)
			if !strings.HasPrefix(first, "token ") {
				t.Fatalf("run 1: %s", first)
			}
			for kind, realms := range cachedRealms(t, store) {
				for _, r := range realms {
					if r != fa.DefaultTenantID {
						t.Errorf("%s cached under realm %q, want the tenant ID %s", kind, r, fa.DefaultTenantID)
					}
				}
			}
			got, reqs := l.run(t, name+"/2", append(args, "-mode", "silent")...)
			if got != first || len(reqs) != 0 {
				t.Errorf("run 2: same token %v, %d requests %v; want the token and none", got == first, len(reqs), endpoints(reqs))
			}
			ageTenantIDs(t, store+".keys.json", 48*time.Hour)
			got, reqs = l.run(t, name+"/2-stale", append(args, "-mode", "silent")...)
			if got != first || len(reqs) != 0 {
				t.Errorf("run 2, tenant ID resolved two days ago: same token %v, %d requests %v; want the token and none (an old ID still names the cache key)",
					got == first, len(reqs), endpoints(reqs))
			}
			if err := os.Remove(store + ".keys.json"); err != nil {
				t.Fatal(err)
			}
			got, reqs = l.run(t, name+"/3", append(args, "-mode", "silent")...)
			discovery := 0
			for _, r := range reqs {
				if r.Endpoint == fa.EndpointDiscovery {
					discovery++
				}
			}
			if _, tok, _ := counts(reqs); got != first || tok != 0 || discovery != 1 {
				t.Errorf("run 3, no key-set file: same token %v, requests %v; want the token, one discovery, no token request",
					got == first, endpoints(reqs))
			}
		})
	}
}

// ageTenantIDs moves the resolution time of every tenant ID in a
// key-set file back by d.
func ageTenantIDs(t *testing.T, path string, d time.Duration) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	tenants, _ := doc["tenants"].([]any)
	if len(tenants) == 0 {
		t.Fatalf("no tenant ID kept beside the cache: %s", b)
	}
	for _, e := range tenants {
		m := e.(map[string]any)
		m["resolved_at"] = m["resolved_at"].(float64) - d.Seconds()
	}
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// cachedRealms reads the realm of every realm-keyed entry of a cache
// file, by section.
func cachedRealms(t *testing.T, path string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]struct {
		Realm string `json:"realm"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, kind := range []string{"AccessToken", "IdToken", "Account"} {
		if len(doc[kind]) == 0 {
			t.Errorf("no %s entry", kind)
		}
		for _, e := range doc[kind] {
			out[kind] = append(out[kind], e.Realm)
		}
	}
	return out
}

func endpoints(reqs []fa.Request) []fa.Endpoint {
	var out []fa.Endpoint
	for _, r := range reqs {
		out = append(out, r.Endpoint)
	}
	return out
}
