package redact

import (
	"bytes"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
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
	if len(secrets) == 0 || len(body) == 0 || (status/100 == 2 && !hasErrorMember(body)) {
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

// ScrubString returns s with every spelling of the secrets replaced.
func ScrubString(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, echoRedacted)
	}
	return s
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
