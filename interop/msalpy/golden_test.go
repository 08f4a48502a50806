package msalpy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// goldenLifetime is the access-token lifetime of the golden capture: 80
// years (so Entra's refresh_in, half of it, is there too).
const goldenLifetime = 80 * 365 * 24 * time.Hour

// goldenPath is the cache file MSAL Python wrote, checked in for the cache
// package's golden test.
var goldenPath = filepath.Join("..", "..", "cache", "testdata", "msal_python.json")

// TestCaptureMSALPythonGolden: MSAL Python signs in as the Azure CLI does
// (device code, client 04b07795-…, authority organizations, ARM
// .default), given an access token that lives 80 years, and the file it writes is the cache package's MSAL Python
// golden. ENTRAAUTH_UPDATE_GOLDEN=1 rewrites the checked-in file with this
// run's; otherwise this run's file must have the checked-in one's shape
// (the same entry keys, which name no secret, and the same fields in each
// entry), so a change in how MSAL Python writes shows up here.
func TestCaptureMSALPythonGolden(t *testing.T) {
	// An access token that outlives the golden: the cache drops an expired
	// one on load, which would change what the golden tests find.
	e := newEnv(t, &fakeauthority.Options{AccessTokenLifetime: goldenLifetime})
	e.token("MSAL Python sign-in", e.py("msal_devicecode.py", map[string]any{"authority": e.base + "/organizations"}))
	got, err := os.ReadFile(e.cache)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("ENTRAAUTH_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", goldenPath)
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (ENTRAAUTH_UPDATE_GOLDEN=1 go test -run TestCaptureMSALPythonGolden writes it)", err)
	}
	if g, w := shape(t, got), shape(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("MSAL Python now writes another shape than %s:\n got %v\nwant %v", goldenPath, g, w)
	}
}

// shape is, for each section of a cache document, each entry key with the
// sorted names of its fields.
func shape(t *testing.T, doc []byte) map[string]map[string][]string {
	t.Helper()
	var m map[string]map[string]map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("cache document: %v", err)
	}
	out := map[string]map[string][]string{}
	for section, entries := range m {
		out[section] = map[string][]string{}
		for key, fields := range entries {
			var names []string
			for f := range fields {
				names = append(names, f)
			}
			slices.Sort(names)
			out[section][key] = names
		}
	}
	return out
}
