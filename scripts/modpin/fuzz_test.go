package main

import (
	"testing"
	"time"
)

// FuzzParsePseudo checks that parsePseudo accepts only what pseudoVersion
// can produce: an accepted untagged form re-derives from its own time and
// revision, and the revision is 12 lower-case hex digits.
func FuzzParsePseudo(f *testing.F) {
	for _, s := range []string{
		"v0.0.0-20261206031259-c5afc8266983",
		"v1.4.3-0.20261206021259-c5afc8266983",
		"v0.0.0-00010101000000-000000000000",
		"v0.0.0-20261306031259-c5afc8266983",
		"v1.2.3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		rev, err := parsePseudo(v)
		if err != nil {
			return
		}
		if len(rev) != 12 {
			t.Fatalf("parsePseudo(%q) revision %q is not 12 digits", v, rev)
		}
		for _, c := range rev {
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				t.Fatalf("parsePseudo(%q) revision %q is not lower-case hex", v, rev)
			}
		}
		stamp := v[len(v)-len("20060102150405-")-12 : len(v)-13]
		at, err := time.Parse("20060102150405", stamp)
		if err != nil || len(v) < 7 || v[:7] != "v0.0.0-" || v[7] == '0' && v[8] == '.' {
			return // a time that is no date, or a tagged form: nothing to re-derive
		}
		if got, err := pseudoVersion(commit{hash: rev + "0000", time: at}); err != nil || got != v {
			t.Fatalf("parsePseudo accepted %q, but its commit's pseudo-version is %q (%v)", v, got, err)
		}
	})
}
