package redact

import (
	"strings"
	"unicode/utf8"
)

// Text returns s made safe to print on a terminal or write to a
// log line. Every string that came from a server (an error description,
// a user code, a verification URI, a claim) must pass through it before
// it is displayed, so that a hostile or compromised server cannot drive
// the user's terminal: no ESC, so no OSC 52 clipboard write, OSC 0 title
// change or CSI line erasure; no 8-bit C1 introducers such as U+009B; no
// bidirectional overrides or isolates (U+202A-U+202E, U+2066-U+2069,
// U+200E, U+200F, U+061C) that make text read differently from what it
// is (CVE-2021-42574).
//
// C0 and C1 control characters, DEL, the bidi characters above and
// invalid UTF-8 are removed; a tab or a line feed becomes a space. The
// result is valid UTF-8 and Text(Text(s)) ==
// Text(s). A string that is already clean is returned as is,
// without allocating.
func Text(s string) string {
	i := FirstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\t' || c == '\n':
				b.WriteByte(' ')
			case c >= 0x20 && c != 0x7f:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && size == 1) && !unsafeRune(r) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// FirstUnsafe returns the index of the first byte of s that [Text]
// would change, or -1 when s is clean.
func FirstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports whether a non-ASCII rune is a C1 control character
// or a bidirectional formatting character.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1, including the 8-bit CSI U+009B and OSC U+009D
		return true
	case r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069,            // LRI, RLI, FSI, PDI
		r == 0x200e, r == 0x200f, r == 0x061c: // LRM, RLM, ALM
		return true
	}
	return false
}
