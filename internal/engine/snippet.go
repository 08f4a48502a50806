package engine

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/entraauth/entraauth/internal/redact"
)

// A snippet is a short excerpt of a body that could not be parsed, for an
// error message. It must never quote any part of a secret: a truncated
// token response holds access, refresh and ID tokens, and a consumer
// refresh token ("M.C5..._BAY.0.U.-Cq*...!...$$") contains characters
// that split it into harmless-looking words. So a JSON body keeps its
// shape and the values of a few diagnostic members only; every other
// value, even a cut-off one, becomes "[…]". Other text keeps only words
// that do not look like a token.
const (
	snippetLen = 120
	// snippetSlack is how far a text snippet's last word may run past
	// snippetLen.
	snippetSlack = 8
	secretRun    = 16 // a word this long or longer is never quoted
	redacted     = "[…]"
)

// snippetMembers are the members whose values a snippet may quote: error
// and diagnostic fields, and numbers and names with no secret in them.
var snippetMembers = []string{
	"error", "error_description", "error_codes", "suberror", "timestamp", "trace_id", "correlation_id",
	"error_uri", "token_type", "expires_in", "ext_expires_in", "refresh_in", "scope", "foci", "interval",
	"tenant_discovery_endpoint", "api-version", "account_type", "accounttype", "domain_name", "federation_protocol",
}

func snippet(body []byte) string {
	t := bytes.TrimLeft(body, " \t\r\n")
	var out string
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		out = jsonSnippet(t)
	} else {
		out = textSnippet(body)
	}
	return strings.TrimSpace(redact.Text(out))
}

// jsonSnippet walks (possibly truncated or malformed) JSON and writes its
// structure, member names, and the values of snippetMembers.
func jsonSnippet(b []byte) string {
	var (
		out      strings.Builder
		owners   []string // for each open container, the member it is the value of
		inObject []bool
		expect   = false // the next string in an object is a member name
		member   string  // the member whose value comes next
	)
	owner := func() string {
		if len(inObject) > 0 && !inObject[len(inObject)-1] {
			return owners[len(owners)-1] // in an array: the array's member
		}
		return member
	}
	for i := 0; i < len(b) && out.Len() < snippetLen; {
		c := b[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '{' || c == '[':
			owners, inObject = append(owners, owner()), append(inObject, c == '{')
			expect, member = c == '{', ""
			out.WriteByte(c)
			i++
		case c == '}' || c == ']':
			if len(owners) > 0 {
				owners, inObject = owners[:len(owners)-1], inObject[:len(inObject)-1]
			}
			expect = false
			out.WriteByte(c)
			i++
		case c == ':':
			expect = false
			out.WriteByte(c)
			i++
		case c == ',':
			expect = len(inObject) > 0 && inObject[len(inObject)-1]
			out.WriteByte(c)
			i++
		case c == '"':
			s, n, closed := jsonString(b[i:])
			i += n
			switch {
			case expect:
				member = strings.ToLower(s)
				if len(s) > 40 || strings.ContainsFunc(s, func(r rune) bool { return !isNameRune(r) }) {
					s = redacted
				}
			case quotable(owner()):
				s = truncate(s, snippetLen)
			default:
				s = redacted
			}
			out.WriteByte('"')
			out.WriteString(s)
			if closed {
				out.WriteByte('"')
			}
		default: // a number, a literal, or garbage: up to the next delimiter
			j := i
			for j < len(b) && !bytes.ContainsRune([]byte(" \t\r\n{}[]:,\""), rune(b[j])) {
				j++
			}
			w := string(b[i:j])
			if !quotable(owner()) && w != "true" && w != "false" && w != "null" {
				w = redacted
			}
			out.WriteString(w)
			i = j
		}
	}
	return out.String()
}

// jsonString reads the JSON string at the start of b (b[0] == '"'),
// returning its text with escapes left as written, the bytes consumed,
// and whether it was closed.
func jsonString(b []byte) (string, int, bool) {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return string(b[1:i]), i + 1, true
		}
	}
	return string(b[1:min(len(b), 1+snippetLen)]), len(b), false
}

func quotable(member string) bool {
	for _, m := range snippetMembers {
		if m == member {
			return true
		}
	}
	return false
}

func isNameRune(r rune) bool {
	return r < utf8.RuneSelf && (r == '_' || r == '-' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r))
}

// textSnippet keeps the start of a body that is not JSON (an HTML page, a
// proxy's text), word by word, replacing every word that could be (part
// of) a token, and the value of every name=value or name:value pair
// whose name is not a diagnostic one.
func textSnippet(body []byte) string {
	var out strings.Builder
	fields := bytes.FieldsFunc(body, func(r rune) bool {
		return unicode.IsSpace(r) || r < 0x20 || r == 0x7f
	})
	// A body cut short may end inside a token: its last word is kept only
	// when it has neither digits nor token punctuation.
	cut := len(body) > 0 && !unicode.IsSpace(rune(body[len(body)-1])) && body[len(body)-1] != '>'
	// inValue: the previous word ended inside the value of a secret
	// name=value pair, which runs on (a raw space in a form value) to the
	// next '&'.
	inValue := false
	for i, f := range fields {
		if out.Len() >= snippetLen {
			break
		}
		w := redacted
		if !(cut && i == len(fields)-1 && bytes.ContainsAny(f, tokenPunct)) && !(inValue && !bytes.ContainsRune(f, '&')) {
			w, inValue = textWord(string(f), inValue)
		}
		if out.Len() > 0 {
			// The loop stops once snippetLen is reached, so the last
			// word may run past it, but by no more than snippetSlack: a
			// longer one is left out.
			if out.Len()+1+len(w) > snippetLen+snippetSlack {
				break
			}
			out.WriteByte(' ')
		}
		out.WriteString(w)
	}
	return out.String()
}

// textWord redacts one whitespace-separated word of a text body. inValue
// says the word continues a secret pair's value from the previous word:
// everything up to its first '&' is redacted. It returns whether the word
// ends inside such a value.
func textWord(w string, inValue bool) (string, bool) {
	var out strings.Builder
	if inValue {
		amp := strings.IndexByte(w, '&')
		out.WriteString(redacted + "&")
		w = w[amp+1:]
	}
	if len(w) >= secretRun {
		eq := strings.LastIndexByte(w, '=')
		return out.String() + redacted, eq >= 0 && strings.IndexByte(w[eq:], '&') < 0
	}
	// Split at markup and pair separators; redact token-like parts.
	var name string
	var nameSep byte
	open := false
	start := 0
	flush := func(end int, sep byte) {
		part := w[start:end]
		switch {
		case sep == '=' || sep == ':':
			name, nameSep = strings.ToLower(part), sep
			out.WriteString(part)
		case name != "" && !quotable(name) && (part != "" || nameSep == '='):
			if part != "" {
				out.WriteString(redacted)
			}
			// A form value (name=value) may go on after a raw space,
			// up to the next '&'; prose ("Error: text") does not.
			open = sep == 0 && nameSep == '='
			name = ""
		case tokenLike(part):
			out.WriteString(redacted)
		default:
			out.WriteString(part)
			name = ""
		}
		if sep != 0 {
			out.WriteByte(sep)
		}
		start = end + 1
	}
	for i := 0; i < len(w); i++ {
		if strings.IndexByte(`<>"'(){}[],;&=:/`, w[i]) >= 0 {
			flush(i, w[i])
		}
	}
	flush(len(w), 0)
	return out.String(), open
}

// tokenLike reports a word that may be a piece of a token or code: four
// characters or more mixing letters with digits or token punctuation.
func tokenLike(w string) bool {
	return len(w) >= 4 && strings.ContainsFunc(w, unicode.IsLetter) && strings.ContainsAny(w, tokenPunct)
}

const tokenPunct = "0123456789*!$._-~+%"
