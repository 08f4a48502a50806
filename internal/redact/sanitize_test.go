package redact

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitizeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"clean ascii", "AADSTS50126: Error validating credentials.", "AADSTS50126: Error validating credentials."},
		{"clean unicode", "Anmeldung für José — 日本語 ✓", "Anmeldung für José — 日本語 ✓"},
		{"zero width joiner kept", "👩\u200d💻", "👩\u200d💻"},
		{"valid replacement char kept", "a\uFFFDb", "a\uFFFDb"},
		{"tab and newline become space", "a\tb\nc", "a b c"},
		{"carriage return removed", "line\r\nnext", "line next"},
		{"OSC 52 clipboard", "x\x1b]52;c;ZWNobyBwd25lZA==\x07y", "x]52;c;ZWNobyBwd25lZA==y"},
		{"OSC 0 title with ST", "\x1b]0;pwned\x1b\\ok", "]0;pwned\\ok"},
		{"CSI erase line", "\r\x1b[2KTo sign in, use code EVIL", "[2KTo sign in, use code EVIL"},
		{"8-bit CSI", "a\u009b2Kb", "a2Kb"},
		{"8-bit OSC", "a\u009d0;t\u009cb", "a0;tb"},
		{"C0 bell NUL backspace", "a\x00b\x07c\x08d", "abcd"},
		{"DEL", "a\x7fb", "ab"},
		{"RLO", "https://login.microsoft.com/\u202Emoc.live", "https://login.microsoft.com/moc.live"},
		{"bidi embeddings", "\u202Aa\u202Bb\u202Cc\u202Dd", "abcd"},
		{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
		{"marks", "\u200Ea\u200Fb\u061Cc", "abc"},
		{"invalid UTF-8", "a\xffb\xc3(c", "ab(c"},
		{"truncated rune at end", "abc\xe6\x97", "abc"},
		{"surrogate encoding", "a\xed\xa0\x80b", "ab"},
		{"only controls", "\x1b\x1b\x07", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Text(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestSanitizeTextCleanInputDoesNotAllocate(t *testing.T) {
	in := "AADSTS70000: The provided grant is invalid. Trace ID: 0f6c1d2e-é"
	allocs := testing.AllocsPerRun(100, func() { _ = Text(in) })
	if allocs != 0 {
		t.Errorf("Text of clean input allocated %v times per call, want 0", allocs)
	}
}

func BenchmarkSanitizeText(b *testing.B) {
	clean := strings.Repeat("AADSTS50076: Due to a configuration change made by your administrator. ", 8)
	dirty := clean + "\x1b]52;c;eA==\x07\u202e"
	b.Run("clean", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Text(clean)
		}
	})
	b.Run("dirty", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Text(dirty)
		}
	})
}

// textSeeds are inputs a terminal would act on, for FuzzRedact.
var textSeeds = []string{"", "plain", "\x1b]52;c;eA==\x07", "\u202e", "\xff\xfe", "a\u009bb", "\t\n\r", "\u009d0;t\u009c", "\u2066x\u2069", "e\u0301\u202a"}

// checkText fails t unless Text(in) is valid UTF-8, keeps nothing a
// terminal acts on, is idempotent, and leaves clean input as it is.
func checkText(t *testing.T, in string) {
	t.Helper()
	out := Text(in)
	if !utf8.ValidString(out) {
		t.Fatalf("Text(%q) = %q is not valid UTF-8", in, out)
	}
	for _, r := range out {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || unsafeBidi(r) {
			t.Fatalf("Text(%q) = %q keeps %U", in, out, r)
		}
	}
	if again := Text(out); again != out {
		t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
	}
	if utf8.ValidString(in) && !strings.ContainsFunc(in, func(r rune) bool {
		return r < 0x20 || (r >= 0x7f && r <= 0x9f) || unsafeBidi(r)
	}) && out != in {
		t.Fatalf("clean input %q changed to %q", in, out)
	}
}

// unsafeBidi lists the bidirectional formatting characters independently
// of the implementation, so the fuzz target checks it rather than itself.
func unsafeBidi(r rune) bool {
	for _, b := range []rune{0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c} {
		if r == b {
			return true
		}
	}
	return false
}

// ExampleText cleans an error description a hostile server wrote
// to set the terminal's title and erase the line before it.
func ExampleText() {
	desc := "AADSTS50126: Error validating credentials.\x1b]0;pwned\x07\r\x1b[2K\u202eSigned in."
	fmt.Printf("%q\n", Text(desc))
	// Output:
	// "AADSTS50126: Error validating credentials.]0;pwned[2KSigned in."
}
