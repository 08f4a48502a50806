package main

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes a server string safe to print on a terminal.
// TODO(lead): replace the body with oauth.SanitizeText once h-terminal's
// oauth/sanitize.go is merged (one sanitizer for the repository).
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
