package main

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// jsonSafe returns encoded JSON with every character the library's
// sanitizer would strip (DEL, C1 controls such as the 8-bit CSI U+009B and OSC
// U+009D, bidirectional overrides and isolates) written as a \uXXXX
// escape instead. encoding/json escapes C0 controls but emits these as
// raw UTF-8, which a terminal acts on; escaped, the document means the
// same and prints inert. Such characters occur only inside JSON strings,
// where the escape is valid.
func jsonSafe(b []byte) []byte {
	i := firstUnsafeRune(b)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || r >= utf8.RuneSelf && unsafeForTerminal(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// firstUnsafeRune is the index of the first non-ASCII rune of b that
// jsonSafe escapes, or -1.
func firstUnsafeRune(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] == 0x7f {
			return i
		}
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if unsafeForTerminal(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeForTerminal reports whether the library's sanitizer strips r:
// one rule, redact.Text's, not a second list to keep in step.
func unsafeForTerminal(r rune) bool {
	var buf [utf8.UTFMax]byte
	s := string(buf[:utf8.EncodeRune(buf[:], r)])
	return clean(s) != s
}

// errTokenCharset refuses an access token that is not a token68 string.
var errTokenCharset = errors.New("the access token has characters no OAuth bearer token has (RFC 6750 section 2.1); refusing to print it")

// checkTokenChars accepts an access token made only of RFC 6750's b64token
// characters (letters, digits, "-._~+/" and trailing "="), the shape of a
// JWT and of Microsoft's opaque tokens. Anything else (an ESC, a C1
// control, a space, a quote) is refused rather than printed: a token is
// copied into headers and shells, never shown cleaned.
func checkTokenChars(tok string) error {
	if tok == "" {
		return errTokenCharset
	}
	end := len(tok)
	for end > 0 && tok[end-1] == '=' {
		end--
	}
	if end == 0 {
		return errTokenCharset
	}
	for i := 0; i < end; i++ {
		c := tok[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
			return errTokenCharset
		}
	}
	return nil
}
