package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fullTable is a map with every catalog row, each naming oauth.TestA.
func fullTable(edit func(id string) string) string {
	var b strings.Builder
	b.WriteString("| Row | What | Applies | Why | Tests |\n|---|---|---|---|---|\n")
	for _, s := range sections {
		for i := 1; i <= s.n; i++ {
			id := fmt.Sprintf("%s%d", s.letter, i)
			line := "| " + id + " | x | yes | y | `oauth.TestA` |"
			if edit != nil {
				if e := edit(id); e != "" {
					line = e
				}
			}
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func TestCheck(t *testing.T) {
	list := func(pkg string) (map[string]bool, error) {
		if pkg == "oauth" {
			return map[string]bool{"TestA": true, "TestConformance": true}, nil
		}
		return nil, errors.New("no such package")
	}
	kit := map[string]bool{"cached-until-expiry": true}
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the problems, in order; none means clean
	}{
		{"complete", fullTable(nil), nil},
		{"row missing", fullTable(func(id string) string {
			if id == "C3" {
				return "not a row"
			}
			return ""
		}), []string{"row C3 is missing"}},
		{"row twice", fullTable(nil) + "| A1 | x | no | y | - |\n", []string{"A1 appears more than once"}},
		{"not a catalog row", fullTable(nil) + "| Z1 | x | no | y | - |\n", []string{"row Z1 is not a row of the threat table"}},
		{"applies without a test", fullTable(func(id string) string {
			if id == "D2" {
				return "| D2 | x | yes | y | - |"
			}
			return ""
		}), []string{"(D2): applies but names no test"}},
		{"no without a reason", fullTable(func(id string) string {
			if id == "D21" {
				return "| D21 | x | no |  | - |"
			}
			return ""
		}), []string{"(D21): does not apply but gives no reason"}},
		{"bad applies", fullTable(func(id string) string {
			if id == "E1" {
				return "| E1 | x | maybe | y | `oauth.TestA` |"
			}
			return ""
		}), []string{`applies is "maybe"`}},
		{"unknown test", fullTable(func(id string) string {
			if id == "S1" {
				return "| S1 | x | yes | y | `oauth.TestA`, `oauth.TestB` |"
			}
			return ""
		}), []string{"no TestB in package oauth"}},
		{"unknown package", fullTable(func(id string) string {
			if id == "S2" {
				return "| S2 | x | yes | y | `nope.TestA` |"
			}
			return ""
		}), []string{"no such package"}},
		{"kit check", fullTable(func(id string) string {
			switch id {
			case "S3":
				return "| S3 | x | yes | y | `oauth.TestConformance/cached-until-expiry` |"
			case "K1":
				return "| K1 | x | yes | y | `oauth.TestConformance/no-such-check` |"
			}
			return ""
		}), []string{`no check "no-such-check"`}},
		{"not a test reference", fullTable(func(id string) string {
			if id == "K2" {
				return "| K2 | x | yes | y | `TestA` |"
			}
			return ""
		}), []string{"is not package.TestName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := parseRows(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			got := check(rows, list, kit)
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// The kit's own source declares the checks the map names.
func TestKitChecksFound(t *testing.T) {
	kit := kitChecks("../../conformance")
	for _, name := range []string{"cached-until-expiry", "id-token-alg-none", "id-token-wrong-nonce", "fault-html-page", "refresh-different-sub"} {
		if !kit[name] {
			t.Errorf("check %q not found in the kit's source (found %d)", name, len(kit))
		}
	}
}

func FuzzParseRows(f *testing.F) {
	f.Add(fullTable(nil))
	f.Add("| A1 | x | yes | y | `a.TestB/c`, , `` |\n|||||\n")
	f.Fuzz(func(t *testing.T, doc string) {
		rows, err := parseRows(strings.NewReader(doc))
		if err != nil {
			return
		}
		_ = check(rows, func(string) (map[string]bool, error) { return nil, nil }, nil)
	})
}
