package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// echoRedacted stands for a secret of ours found in an answer.
const echoRedacted = "[redacted]"

// SentSecrets lists the secret values of form in every spelling an echo
// may use (as sent, query-escaped, path-escaped, JSON-escaped with and
// without HTML escapes, with characters past ASCII as \uXXXX, with "/" as
// "\/", HTML-escaped as an error page quotes it), longest
// first so that a longer spelling is replaced before a shorter one inside it.
func SentSecrets(form url.Values) []string {
	var out []string
	for _, name := range secretFormFields {
		for _, v := range form[name] {
			if v != "" {
				out = append(out, Spellings(v)...)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// Spellings is v in every spelling SentSecrets lists for it.
func Spellings(v string) []string {
	j, _ := json.Marshal(v)
	inJSON := string(j[1 : len(j)-1])
	plain := keepHTML.Replace(inJSON)
	return append([]string{v, url.QueryEscape(v), url.PathEscape(v), inJSON, plain,
		asciiJSON(plain, "\\u%04x"), asciiJSON(plain, "\\u%04X"), strings.ReplaceAll(plain, "/", `\/`)},
		htmlSpellings(v)...)
}

// ScrubEcho removes the secrets we sent from an error answer's body: a
// JSON body has them removed from every string (names and values, so it
// still parses); any other body from its bytes. A success answer (a 2xx
// JSON object without an "error" member, see ErrorAnswer) is returned as
// it is: it may hold our own refresh token again, legitimately.
func ScrubEcho(status int, body []byte, secrets []string) []byte {
	if len(secrets) == 0 || len(body) == 0 || !ErrorAnswer(status, body) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) == nil && !dec.More() {
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if enc.Encode(scrubJSON(v, secrets)) == nil {
			return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
		}
	}
	return []byte(ScrubString(string(body), secrets))
}

// scrubJSON returns v with the secrets removed from every string in it.
func scrubJSON(v any, secrets []string) any {
	switch v := v.(type) {
	case string:
		return ScrubString(v, secrets)
	case []any:
		for i := range v {
			v[i] = scrubJSON(v[i], secrets)
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[ScrubString(k, secrets)] = scrubJSON(e, secrets)
		}
		return out
	}
	return v
}

// ScrubString returns s with every spelling of the secrets replaced,
// whatever HTML character references an escaper used in it. When s may
// hold a reference (it has an "&") the search is scrubAllReferences',
// which never cuts a reference in two: replacing bytes could match
// inside one ("0000" in "&#1000000") and leave text that reads
// differently.
func ScrubString(s string, secrets []string) string {
	return ReplaceSpellings(s, secrets, func(int) string { return echoRedacted })
}

// ReplaceSpellings is ScrubString with the text that stands for
// spellings[i] given by with(i) (the trace prints a fingerprint per
// secret). spellings are tried in order: longest first, so a longer
// spelling is replaced before a shorter one inside it.
func ReplaceSpellings(s string, spellings []string, with func(i int) string) string {
	if strings.IndexByte(s, '&') >= 0 {
		return scrubAllReferences(s, spellings, with)
	}
	for i, sec := range spellings {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, with(i))
		}
	}
	return s
}

// ErrorAnswer reports whether an answer is one ScrubEcho scrubs: any
// status but 2xx, a 2xx body that is not a JSON object (a proxy's or a
// portal's page answering 200 is no token response, and its text ends up
// in an error snippet), or one with an "error" member. A caller can ask
// it before it spells out the secrets (SentSecrets) for a success.
func ErrorAnswer(status int, body []byte) bool {
	return status/100 != 2 || !jsonObject(body) || hasErrorMember(body)
}

// jsonObject reports whether body starts as a JSON object.
func jsonObject(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// hasErrorMember reports whether a 2xx body is an error answer anyway (a
// non-empty "error" member, RFC 6749 section 5.2).
func hasErrorMember(body []byte) bool {
	if !bytes.Contains(body, []byte(`"error"`)) {
		return false
	}
	var e struct {
		Error any `json:"error"`
	}
	return json.Unmarshal(body, &e) == nil && e.Error != nil && e.Error != ""
}

// asciiJSON is a JSON string's text with every character past ASCII
// written as \uXXXX (a UTF-16 pair past U+FFFF) in format, as encoders
// that keep to ASCII write it (Python's json.dumps by default).
func asciiJSON(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, format, r1)
			fmt.Fprintf(&b, format, r2)
		default:
			fmt.Fprintf(&b, format, r)
		}
	}
	return b.String()
}

// keepHTML undoes encoding/json's HTML escapes: most JSON encoders other
// than Go's write <, > and & as they are.
var keepHTML = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// htmlSpellings is s as an HTML page quotes it: with html.EscapeString's
// references and with the named and hexadecimal ones other escapers use
// for quotes. (ReplaceSpellings finds any other references.)
func htmlSpellings(s string) []string {
	e := html.EscapeString(s)
	return []string{e, strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;").Replace(e)}
}

// scrubAllReferences replaces every run of s that reads as one of the
// secrets once its HTML character references are decoded (reference),
// whichever an escaper chose for each character (&amp;, &#38;, &#x26;
// and &#X26; are all "&"; &eacute; is "é"): HTMLSpellings lists only
// htmlSpellings' choices. A spelling holding "&" itself (which
// decoding changes) is also searched in s as written. Either way a run
// is cut only at whole characters of s: a reference is never cut in two,
// which would leave text that reads differently. s is decoded once and
// each spelling found with strings.Index, so the cost is linear in s.
func scrubAllReferences(s string, secrets []string, with func(i int) string) string {
	dec, at := decodeReferences(s)
	whole := make([]bool, len(s)+1) // whether a character of s starts there
	for _, i := range at {
		whole[i] = true
	}
	var cuts [][3]int // ranges of s to replace, and the spelling found there
	find := func(text string, k int, cut func(a, b int) (int, int, bool)) {
		sec := secrets[k]
		for from := 0; sec != "" && from+len(sec) <= len(text); {
			n := strings.Index(text[from:], sec)
			if n < 0 {
				return
			}
			a, b := from+n, from+n+len(sec)
			if i, j, ok := cut(a, b); ok {
				cuts = append(cuts, [3]int{i, j, k})
				from = b
			} else {
				from = a + 1
			}
		}
	}
	for k, sec := range secrets {
		find(dec, k, func(a, b int) (int, int, bool) {
			return at[a], at[b], (a == 0 || at[a-1] != at[a]) && (b == len(dec) || at[b-1] != at[b])
		})
		if strings.IndexByte(sec, '&') >= 0 {
			find(s, k, func(a, b int) (int, int, bool) { return a, b, whole[a] && whole[b] })
		}
	}
	if len(cuts) == 0 {
		return s
	}
	// By start, the longer (earlier listed) spelling first at one start.
	slices.SortFunc(cuts, func(x, y [3]int) int {
		if x[0] != y[0] {
			return x[0] - y[0]
		}
		return x[2] - y[2]
	})
	var b strings.Builder
	last := 0
	for _, c := range cuts {
		if c[0] < last { // overlaps the previous cut
			last = max(last, c[1])
			continue
		}
		b.WriteString(s[last:c[0]])
		b.WriteString(with(c[2]))
		last = c[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// decodeReferences returns s with its character references decoded, and
// for each byte of it the offset in s of the character it came from
// (at[len(dec)] is len(s)).
func decodeReferences(s string) (dec string, at []int) {
	var b strings.Builder
	b.Grow(len(s))
	at = make([]int, 0, len(s)+1)
	for i := 0; i < len(s); {
		if s[i] == '&' {
			if r, w := reference(s[i:]); w > 0 {
				n, _ := b.WriteRune(r)
				for range n {
					at = append(at, i)
				}
				i += w
				continue
			}
		}
		b.WriteByte(s[i])
		at = append(at, i)
		i++
	}
	return b.String(), append(at, len(s))
}

// maxReference bounds a character reference's length
// ("&CounterClockwiseContourIntegral;" is 33).
const maxReference = 40

// reference decodes the HTML character reference at the start of s
// (named, decimal or hexadecimal, with its ";" or, as HTML5 also reads
// "&#38" and "&amp", without) to one rune, as html.UnescapeString reads
// it (HTML5's table), and its length; 0 when s does not start with one,
// or with one that stands for no character (NUL, a surrogate: U+FFFD).
func reference(s string) (rune, int) {
	n := referenceLen(s)
	if n < 2 {
		return 0, 0
	}
	if n < len(s) && s[n] == ';' {
		n++
	}
	ref := s[:n]
	dec := html.UnescapeString(ref)
	r, w := utf8.DecodeRuneInString(dec)
	if dec == ref || w != len(dec) || r == utf8.RuneError {
		return 0, 0
	}
	return r, n
}

// referenceLen is the length of the reference's name or number at the
// start of s ("&amp", "&#38", "&#x26"), without its ";"; 0 when none.
func referenceLen(s string) int {
	if len(s) < 2 || s[0] != '&' {
		return 0
	}
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	start, ok := 1, func(c byte) bool { return digit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' }
	if s[1] == '#' {
		start, ok = 2, digit
		if len(s) > 2 && s[2]|0x20 == 'x' {
			start, ok = 3, func(c byte) bool { return digit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }
		}
	}
	end := start
	for end < len(s) && end < maxReference && ok(s[end]) {
		end++
	}
	if end == start {
		return 0
	}
	return end
}
