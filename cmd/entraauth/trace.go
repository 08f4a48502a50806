package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// secretFields are redacted wherever they appear in a traced form or JSON
// body: tokens, codes and passwords, and what identifies the user.
var secretFields = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "device_code": true,
	"code": true, "code_verifier": true, "password": true, "client_secret": true,
	"client_assertion": true, "assertion": true, "client_info": true, "username": true,
	"login_hint": true,
}

// traceTransport writes every HTTP exchange to w, one line for the
// request and one for the response, with secrets redacted (--trace).
type traceTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	w    io.Writer
}

func (t *traceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var form string
	if r.Body != nil && r.GetBody != nil {
		if body, err := r.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, 1<<20))
			body.Close()
			form = redactForm(string(b))
		}
	}
	t.printf("> %s %s %s\n", r.Method, redactURL(r.URL), form)
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		t.printf("< error after %v: %v\n", time.Since(start).Round(time.Millisecond), err)
		return nil, err
	}
	b, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if rerr != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{rerr}))
	}
	t.printf("< %s (%v) %s\n", resp.Status, time.Since(start).Round(time.Millisecond), redactBody(resp.Header.Get("Content-Type"), b))
	return resp, nil
}

func (t *traceTransport) printf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, format, args...)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// redactURL drops the query's secret values and the user realm path.
func redactURL(u *url.URL) string {
	c := *u
	c.RawQuery = redactForm(u.RawQuery)
	s := c.String()
	if i := strings.Index(strings.ToLower(s), "/userrealm/"); i >= 0 {
		s = s[:i] + "/userrealm/[redacted]"
	}
	return s
}

// redactForm renders form fields sorted, secret values as [redacted].
func redactForm(s string) string {
	v, err := url.ParseQuery(s)
	if err != nil || len(v) == 0 {
		return ""
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		val := strings.Join(v[k], ",")
		if secretFields[k] {
			val = "[redacted]"
		}
		fmt.Fprintf(&b, "%s=%s ", k, val)
	}
	return strings.TrimSpace(b.String())
}

// redactBody shows a JSON object with secret members redacted, or the
// size of anything else.
func redactBody(contentType string, b []byte) string {
	var m map[string]any
	if !strings.Contains(contentType, "json") || json.Unmarshal(b, &m) != nil {
		return fmt.Sprintf("[%d bytes %s]", len(b), contentType)
	}
	for k := range m {
		if secretFields[k] {
			m[k] = "[redacted]"
		}
	}
	out, _ := json.Marshal(m)
	return string(out)
}
