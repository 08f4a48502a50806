package redact

import (
	"bytes"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// echoRedacted stands for a secret of ours found in an answer.
const echoRedacted = "[redacted]"

// SentSecrets lists the secret values of form in every spelling an echo
// may use (as sent, query-escaped, path-escaped, JSON-escaped with and
// without HTML escapes, HTML-escaped as an error page quotes it), longest
// first so that a longer spelling is replaced before a shorter one inside it.
func SentSecrets(form url.Values) []string {
	var out []string
	for _, name := range secretFormFields {
		for _, v := range form[name] {
			if v == "" {
				continue
			}
			j, _ := json.Marshal(v)
			inJSON := string(j[1 : len(j)-1])
			out = append(out, v, url.QueryEscape(v), url.PathEscape(v), inJSON, keepHTML.Replace(inJSON))
			out = append(out, HTMLSpellings(v)...)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// ScrubEcho removes the secrets we sent from an error answer's body: a
// JSON body has them removed from every string (names and values, so it
// still parses); any other body from its bytes. A success answer (2xx
// without an "error" member) is returned as it is: it may hold our own
// refresh token again, legitimately.
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
	if bytes.IndexByte(body, '&') >= 0 {
		body = []byte(scrubAllReferences(string(body), secrets))
	}
	for _, s := range secrets {
		body = bytes.ReplaceAll(body, []byte(s), []byte(echoRedacted))
	}
	return body
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
// whatever HTML character references an escaper used in it.
func ScrubString(s string, secrets []string) string {
	s = scrubAllReferences(s, secrets) // first: a plain replacement could cut a reference in two
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, echoRedacted)
	}
	return s
}

// ErrorAnswer reports whether an answer is one ScrubEcho scrubs: any
// status but 2xx, or a 2xx body with an "error" member. A caller can ask
// it before it spells out the secrets (SentSecrets) for a success.
func ErrorAnswer(status int, body []byte) bool {
	return status/100 != 2 || hasErrorMember(body)
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

// keepHTML undoes encoding/json's HTML escapes: most JSON encoders other
// than Go's write <, > and & as they are.
var keepHTML = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// HTMLSpellings is s as an HTML page quotes it: with html.EscapeString's
// references and with the named and hexadecimal ones other escapers use
// for quotes.
func HTMLSpellings(s string) []string {
	e := html.EscapeString(s)
	return []string{e, strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;").Replace(e)}
}

// scrubAllReferences replaces every run of s that reads as one of the
// secrets once its HTML character references are decoded (reference),
// whichever an escaper chose for each character (&amp;, &#38;, &#x26;
// and &#X26; are all "&"; &eacute; is "é"): HTMLSpellings lists only
// html.EscapeString's choices. s is decoded once and each secret found
// in it with strings.Index, so the cost is linear in s for any body.
func scrubAllReferences(s string, secrets []string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	dec, at := decodeReferences(s)
	var cuts [][2]int // ranges of s to replace
	for _, sec := range secrets {
		for from := 0; sec != "" && from+len(sec) <= len(dec); {
			k := strings.Index(dec[from:], sec)
			if k < 0 {
				break
			}
			a, b := from+k, from+k+len(sec)
			if (a == 0 || at[a-1] != at[a]) && (b == len(dec) || at[b-1] != at[b]) { // whole characters
				cuts = append(cuts, [2]int{at[a], at[b]})
				from = b
			} else {
				from = a + 1
			}
		}
	}
	if len(cuts) == 0 {
		return s
	}
	slices.SortFunc(cuts, func(x, y [2]int) int { return x[0] - y[0] })
	var b strings.Builder
	last := 0
	for _, c := range cuts {
		if c[0] < last { // overlaps the previous cut
			last = max(last, c[1])
			continue
		}
		b.WriteString(s[last:c[0]])
		b.WriteString(echoRedacted)
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
// (named, decimal or hexadecimal, ended by ";") to one rune, as
// html.UnescapeString reads it (HTML5's table), and its length; 0 when s
// does not start with one, or with one that stands for no character
// (NUL, a surrogate: U+FFFD).
func reference(s string) (rune, int) {
	end := strings.IndexByte(s[:min(len(s), maxReference)], ';')
	if end < 2 {
		return 0, 0
	}
	ref := s[:end+1]
	dec := html.UnescapeString(ref)
	r, n := utf8.DecodeRuneInString(dec)
	if dec == ref || n != len(dec) || r == utf8.RuneError {
		return 0, 0
	}
	return r, end + 1
}
