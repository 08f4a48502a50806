package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/entraauth/entraauth/internal/redact"
)

// redactBody shows a JSON body with every secret member (at any depth,
// its name in any case) fingerprinted, or the size and type of anything
// else.
func redactBody(contentType string, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if !strings.Contains(strings.ToLower(contentType), "json") || dec.Decode(&v) != nil || dec.More() {
		return fmt.Sprintf("[%d bytes %s]", len(b), contentType)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(redactJSON("", v)) != nil {
		return fmt.Sprintf("[%d bytes %s]", len(b), contentType)
	}
	return strings.TrimSuffix(string(jsonSafe(out.Bytes())), "\n")
}

// redactJSON returns v with the values of secret members fingerprinted.
func redactJSON(name string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = redactJSON(k, e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = redactJSON(name, e)
		}
		return v
	}
	if name == "" || !redact.SecretField(name) {
		return v
	}
	if s, ok := v.(string); ok {
		return fingerprint(name, s)
	}
	return fingerprint(name, fmt.Sprint(v))
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// traceHTTP wraps the session's HTTP client in a traceTransport: blocks
// on stderr with --trace, a HAR file with --trace-file (written when the
// session closes). The live countdown is turned off with --trace: trace
// blocks would scroll it away.
func (s *session) traceHTTP() error {
	hc := s.client.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	cp := *hc
	next := cp.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	tt := &traceTransport{next: next}
	if s.opts.trace {
		tt.w = s.io.stderr
		io := *s.io
		io.stderrTTY = false
		s.io = &io
	}
	if path := s.opts.traceFile; path != "" {
		// A temp file (0600) is created now, so a path that cannot be
		// written fails before the sign-in rather than after it; at the
		// end it is renamed over path, so an existing file (of any mode)
		// is replaced, never written in place.
		f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
		if err != nil {
			return fmt.Errorf("--trace-file: %w", err)
		}
		tt.har = &harLog{}
		s.onClose(func() error { return tt.har.commit(f, path) })
	}
	cp.Transport = tt
	s.client.HTTPClient = &cp
	return nil
}
