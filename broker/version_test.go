package broker

import (
	"slices"
	"strings"
	"testing"
)

func TestLinuxVersion(t *testing.T) {
	cases := []struct {
		in, want string // want "" for refused
	}{
		{"2.0.1", "2.0.1"}, {"2.5.2", "2.5.2"}, {"3.0.2", "3.0.2"}, {"4.0.0", "4.0.0"}, {"1.28.0", "1.28.0"},
		{"2.0", "2.0"}, {"2.0.1.7", "2.0.1.7"}, {"02.00.10", "2.0.10"},
		{"", ""}, {"2", ""}, {"2.0.1-beta", ""}, {"2..1", ""}, {" 2.0.1", ""}, {"2.0.1.0.0", ""},
		{"+2.0", ""}, {"-2.0", ""}, {"1234567890.0", ""}, {"2.0\x1b[31m", ""}, {"entraauth-go", ""},
	}
	for _, tc := range cases {
		v, err := parseLinuxVersionString(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q accepted as %v", tc.in, v)
			}
			continue
		}
		if err != nil || v.String() != tc.want {
			t.Errorf("%q: %v %v, want %s", tc.in, v, err, tc.want)
		}
	}
	if _, err := parseLinuxVersion(`{"linuxBrokerVersion":"not a version"}`); err == nil || !strings.Contains(err.Error(), "not major.minor") {
		t.Errorf("%v", err)
	}
}

// FuzzLinuxVersion: an accepted version prints back to a version that
// parses to the same numbers.
func FuzzLinuxVersion(f *testing.F) {
	for _, s := range []string{"2.0.1", "3.0.2", "4.0.0", "2.0", "1.2.3.4", "2.0.1-beta", "99999999.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseLinuxVersionString(s)
		if err != nil {
			return
		}
		w, err := parseLinuxVersionString(v.String())
		if err != nil || !slices.Equal(v, w) || len(v) < 2 || len(v) > maxVersionParts {
			t.Fatalf("%q -> %v -> %v %v", s, v, w, err)
		}
		if strings.ContainsFunc(v.String(), func(r rune) bool { return r != '.' && (r < '0' || r > '9') }) {
			t.Fatalf("%q printed %q", s, v)
		}
	})
}
