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
				mode = 0 // a C1 control has no reference of its own (reference refuses &#128; to &#159;)
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

// TestReferenceAgreesWithHTML: every reference reference decodes, Go's
// html.UnescapeString (the HTML5 table) decodes to the same rune: each
// name it knows, and decimal and hexadecimal references for every
// character up to U+2FFF and a few beyond. (HTML5 maps &#128; to &#159;
// to Windows-1252 characters; those, NUL and surrogates reference
// refuses.)
func TestReferenceAgreesWithHTML(t *testing.T) {
	names := append([]string{"amp", "lt", "gt", "quot", "apos"}, latin1Names[:]...)
	for _, n := range names {
		ref := "&" + n + ";"
		r, w := reference(ref)
		if w != len(ref) || string(r) != html.UnescapeString(ref) {
			t.Errorf("%s: %q (%d bytes), html says %q", ref, r, w, html.UnescapeString(ref))
		}
	}
	check := func(r rune) {
		for _, ref := range []string{fmt.Sprintf("&#%d;", r), fmt.Sprintf("&#x%x;", r), fmt.Sprintf("&#X%X;", r)} {
			got, w := reference(ref)
			refused := r == 0 || (r >= 0x80 && r <= 0x9f) || (r >= 0xd800 && r <= 0xdfff)
			switch {
			case refused && w != 0:
				t.Errorf("%s decoded to %q, want it refused", ref, got)
			case !refused && (w != len(ref) || string(got) != html.UnescapeString(ref)):
				t.Errorf("%s: %q, html says %q", ref, got, html.UnescapeString(ref))
			}
		}
	}
	for r := rune(0); r <= 0x2fff; r++ {
		check(r)
	}
	for _, r := range []rune{0xd800, 0xdfff, 0xe000, 0xfffd, 0x1f600, 0x10ffff} {
		check(r)
	}
	for _, bad := range []string{"&;", "&#;", "&#x;", "&#-1;", "&#+1;", "&#x110000;", "&hellip", "&nosuch;", "&#99999999999;"} {
		if r, w := reference(bad); w != 0 {
			t.Errorf("%q decoded to %q", bad, r)
		}
	}
}
