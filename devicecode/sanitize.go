package devicecode

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean removes control characters, including the ESC that starts ANSI
// and OSC terminal sequences, so that a server cannot rewrite the user's
// terminal through a user code or a message (security catalog G10). Tabs
// and line breaks become spaces; surrounding space is trimmed.
func clean(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			// invalid UTF-8 is dropped
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d':
			// C0, DEL, C1 (which includes the 8-bit CSI \u009b) and
			// format characters such as bidi overrides
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
