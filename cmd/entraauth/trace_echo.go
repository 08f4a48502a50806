package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/entraauth/entraauth/internal/redact"
)

// sentSecret is one spelling of a secret value the traced request sent,
// and what stands for it in the trace.
type sentSecret struct{ spelling, fingerprint string }

// sentSecrets lists the secret values of a request's form body, each in
// every spelling an answer may quote it (redact.Spellings, and JSON as the
// trace prints it), longest first.
func sentSecrets(form string) []sentSecret {
	v, err := url.ParseQuery(form)
	if err != nil || len(v) == 0 {
		return nil
	}
	var out []sentSecret
	for k, vals := range v {
		if !redact.SecretField(k) || strings.EqualFold(k, "client_info") {
			continue
		}
		for _, val := range vals {
			if val == "" {
				continue
			}
			fp := fingerprint(k, val)
			for _, s := range append(redact.Spellings(val), jsonSpelling(val)) {
				out = append(out, sentSecret{s, fp})
			}
		}
	}
	slices.SortFunc(out, func(a, b sentSecret) int { return len(b.spelling) - len(a.spelling) })
	return out
}

// jsonSpelling is s inside a JSON string as the trace prints it: HTML
// characters kept, C1, bidi and DEL escaped (redactBody, jsonSafe).
func jsonSpelling(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	j := jsonSafe(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	return string(j[1 : len(j)-1])
}

// redactEcho replaces every secret the request sent, wherever the answer
// quotes it (an error description echoing "...&password=..."), with its
// fingerprint: redaction by the values sent, not only by member names,
// and whatever HTML character references the answer used
// (redact.ReplaceSpellings, as the library scrubs its errors).
func redactEcho(s string, sent []sentSecret) string {
	if len(sent) == 0 {
		return s
	}
	spellings := make([]string, len(sent))
	for i, sec := range sent {
		spellings[i] = sec.spelling
	}
	return redact.ReplaceSpellings(s, spellings, func(i int) string { return sent[i].fingerprint })
}
