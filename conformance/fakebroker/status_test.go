package fakebroker

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sourcedStatuses are the broker error statuses the fake may send, each
// with where a real broker was seen to send it. A status with no source
// is an invented one: a client tested against it learns nothing.
var sourcedStatuses = map[string]string{
	"0": "himmelblau-idm/identity_dbus_broker src/himmelblau_broker.rs: the errors it wraps for himmelblau carry status 0",
	"2": "siemens/linux-entra-sso issue #114: broker 2.0.1 answers interaction required with status 2",
	"7": "theophile-wallez/teams-lite SIGN-IN.md: broker 3.0.2 answers a closed window with status 7",
}

// TestEveryStatusHasASource reads the fake's own source: every "status"
// it writes into an answer is one a real broker is known to send.
func TestEveryStatusHasASource(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"status":\s*(\w+)`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			seen++
			values := []string{string(m[1])}
			if !regexp.MustCompile(`^\d+$`).Match(m[1]) {
				// A variable: every number the file assigns to it.
				values = nil
				assign := regexp.MustCompile(`\b` + string(m[1]) + `(?:,\s*\w+)?\s*:?=\s*(\d+)`)
				for _, a := range assign.FindAllSubmatch(b, -1) {
					values = append(values, string(a[1]))
				}
				if len(values) == 0 {
					t.Errorf("%s sends status %s, whose values this test cannot find", f, m[1])
				}
			}
			for _, v := range values {
				if _, ok := sourcedStatuses[v]; !ok {
					t.Errorf("%s sends status %s, which no source shows a real broker sending", f, v)
				}
			}
		}
	}
	if seen < 3 {
		t.Fatalf("found %d status literals; the scan is broken", seen)
	}
}
