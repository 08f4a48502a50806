package redact

import (
	"fmt"
	"html"
	"strings"
	"testing"
)

// FuzzScrubReferences: a secret quoted with any mix of literal characters
// and named, decimal or hexadecimal references, between any text, does
// not survive ScrubString (read with its references decoded), unless the
// text around it spells it by itself. (Secrets are at least 4 bytes, as
// in FuzzScrubEcho: one character can be spelled by any text.)
func FuzzScrubReferences(f *testing.F) {
	f.Add("p&ss<w>rd", "<p>", "</p>", uint64(0x5a5a))
	f.Add("café \"crème\"", "", "", uint64(0xffff))
	f.Add("hunter2", "&amp;", ";", uint64(3))
	f.Fuzz(func(t *testing.T, secret, before, after string, mode uint64) {
		if len(secret) < 4 || len(secret) > 64 || strings.ContainsAny(secret, "[]") || !isText(secret) || !isText(before) || !isText(after) {
			t.Skip()
		}
		if strings.Contains(html.UnescapeString(before+after), secret) ||
			strings.Contains(html.UnescapeString(before+echoRedacted+after), secret) {
			t.Skip() // the text around spells it by itself
		}
		var quoted strings.Builder
		for i, r := range secret {
			mode := (mode >> (2 * (i % 32))) & 3
			if r >= 0x80 && r <= 0x9f {
				mode = 0 // HTML5 reads &#128; to &#159; as other characters
			}
			switch mode {
			case 0:
				quoted.WriteRune(r)
			case 1:
				fmt.Fprintf(&quoted, "&#%d;", r)
			case 2:
				fmt.Fprintf(&quoted, "&#x%X;", r)
			default:
				quoted.WriteString(html.EscapeString(string(r)))
			}
		}
		out := ScrubString(before+quoted.String()+after, []string{secret})
		if strings.Contains(html.UnescapeString(out), secret) {
			t.Fatalf("secret %q quoted as %q survives in %q", secret, quoted.String(), out)
		}
	})
}

// isText reports whether s is valid UTF-8 with no NUL or U+FFFD (which
// a reference cannot stand for here).
func isText(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s && !strings.ContainsAny(s, "\x00\uFFFD")
}

// BenchmarkScrubEchoHostile: a 1 MiB error page (the engine's read bound)
// that nearly repeats a 2 KiB secret everywhere, with a reference in it;
// the scrub stays linear in the page (a match tried at every offset
// would compare some 2 billion bytes).
func BenchmarkScrubEchoHostile(b *testing.B) {
	secret := strings.Repeat("a", 2047) + "b"
	body := []byte("&amp;" + strings.Repeat("a", 1<<20-5))
	secrets := []string{secret}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		ScrubEcho(500, body, secrets)
	}
}

// TestReference: named, decimal and hexadecimal references decode to
// their character, HTML5's C1 remapping included (&#150; is an en dash);
// what is no reference, or stands for no character, does not.
func TestReference(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want rune // 0: refused
	}{
		{"&amp;", '&'}, {"&apos;", '\''}, {"&eacute;", 'é'}, {"&#38;", '&'}, {"&#x26;", '&'}, {"&#X3C;", '<'},
		{"&#150;", '–'}, {"&#x1F600;", '😀'}, {"&hellip;x", '…'},
		// Without ";", as HTML5 reads them.
		{"&#38 x", '&'}, {"&#x26 x", '&'}, {"&amp x", '&'}, {"&eacute", 'é'},
		{"&;", 0}, {"&#;", 0}, {"&#x;", 0}, {"&hellip", 0}, {"&nosuch;", 0}, {"&#0;", 0}, {"&#xD800;", 0},
		{"&#x110000;", 0}, {"&a&amp;", 0}, {"R&D", 0}, {"& co", 0}, {"&amp x;", '&'},
	} {
		r, w := reference(tc.in)
		if tc.want == 0 {
			if w != 0 {
				t.Errorf("%q decoded to %q", tc.in, r)
			}
			continue
		}
		// The reference ends at its ";" or at the first character past its name or number.
		want := strings.IndexAny(tc.in, "; ")
		if want < 0 {
			want = len(tc.in)
		} else if tc.in[want] == ';' {
			want++
		}
		if r != tc.want || w != want {
			t.Errorf("%q: %q (%d bytes), want %q (%d bytes)", tc.in, r, w, tc.want, want)
		}
	}
}
