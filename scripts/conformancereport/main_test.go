package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// line is one go test -json output event carrying a result.
func line(t *testing.T, pkg, test string, r result) string {
	b, _ := json.Marshal(r)
	ev, _ := json.Marshal(map[string]string{"Action": "output", "Package": pkg, "Test": test,
		"Output": "    kit.go:1: " + resultPrefix + string(b) + "\n"})
	return string(ev)
}

func TestReport(t *testing.T) {
	in := []string{
		"not json: build output",
		line(t, "p/a", "TestConformance/one", result{"A", "one", "first | check", "pass", ""}),
		line(t, "p/a", "TestConformance/two", result{"A", "two", "second", "n/a", "no user step"}),
		line(t, "p/b", "TestConformance/one", result{"B", "one", "first | check", "xfail", "B decodes only"}),
		line(t, "p/b", "TestConformance/two", result{"B", "two", "second", "xpass", "stale"}),
		line(t, "p/a", "TestConformance/three", result{"A", "three", "third", "pass", ""}),
		`{"Action":"fail","Package":"p/a","Test":"TestConformance/three"}`,
		`{"Action":"fail","Package":"p/a","Test":"TestConformance"}`,
	}
	rep, err := read(strings.NewReader(strings.Join(in, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	rep.order([]string{"B", "A"})
	var b strings.Builder
	bad := rep.write(&b)
	out := b.String()
	for _, want := range []string{
		"| Check | What it checks | B | A |",
		"| `one` | first \\| check | expected failure [1] | pass |",
		"| `two` | second | **FAIL** (passes, but listed as an expected failure) | n/a [2] |",
		"| `three` | third | not run | **FAIL** |",
		"1. B: B decodes only",
		"2. no user step",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if bad != 3 { // xpass, the failed subtest, B's missing "three"
		t.Errorf("bad = %d, want 3", bad)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`{"Action":"output","Package":"p","Test":"T/x","Output":"conformance-result: {\"credential\":\"c\",\"check\":\"x\",\"status\":\"pass\"}"}`)
	f.Add(`{"Action":"fail","Package":"p","Test":"T/x"}`)
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := read(strings.NewReader(s))
		if err != nil {
			return
		}
		var b strings.Builder
		rep.write(&b)
	})
}
