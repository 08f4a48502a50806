package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/entraauth/entraauth/internal/redact"
)

// fingerprint stands for a secret value: its name and the first six hex
// digits of its SHA-256, so two traces can be compared without either
// holding the secret.
func fingerprint(name, value string) string {
	sum := sha256.Sum256([]byte(value))
	return "<" + strings.ToLower(name) + " sha256:" + hex.EncodeToString(sum[:3]) + ">"
}

// maxTraceBody bounds how much of a body is read for the trace.
const maxTraceBody = 1 << 20

// traceTransport records every HTTP exchange, secrets fingerprinted: as a
// block on w (--trace) and as a HAR entry (--trace-file).
type traceTransport struct {
	next http.RoundTripper
	w    io.Writer // nil: no text trace
	har  *harLog   // nil: no HAR file

	mu sync.Mutex
	n  int
}

func (t *traceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	x := &exchange{start: time.Now(), method: r.Method, url: redactURL(r.URL),
		reqHeaders: redactHeaders(r.Header), reqMime: r.Header.Get("Content-Type")}
	var sent []sentSecret
	if r.Body != nil && r.GetBody != nil {
		if body, err := r.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, maxTraceBody))
			body.Close()
			x.reqSize = len(b)
			x.form = redactFormFields(string(b))
			sent = sentSecrets(string(b))
		}
	}
	resp, err := t.next.RoundTrip(r)
	x.dur = time.Since(x.start)
	if err != nil {
		x.err = transportErrorText(err)
		t.record(x)
		return nil, err
	}
	b, rerr := io.ReadAll(io.LimitReader(resp.Body, maxTraceBody))
	// The caller reads what the trace read and then the rest of the
	// body, so its own bound (and size error) applies as without --trace.
	rest := io.Reader(resp.Body)
	if rerr != nil {
		rest = errReader{rerr}
	}
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(b), rest), resp.Body}
	x.status, x.statusText = resp.StatusCode, http.StatusText(resp.StatusCode)
	x.respHeaders = redactHeaders(resp.Header)
	for i := range x.respHeaders {
		x.respHeaders[i][1] = redactEcho(x.respHeaders[i][1], sent)
	}
	x.respMime = resp.Header.Get("Content-Type")
	x.respSize = len(b)
	x.respBody = redactEcho(redactBody(x.respMime, b), sent)
	t.record(x)
	return resp, nil
}

// record prints x (--trace) and keeps it for the HAR file.
func (t *traceTransport) record(x *exchange) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	if t.w != nil {
		io.WriteString(t.w, x.block(t.n))
	}
	if t.har != nil {
		t.har.add(x)
	}
}

// exchange is one request and its response, secrets already replaced.
type exchange struct {
	start       time.Time
	dur         time.Duration
	method, url string
	reqHeaders  [][2]string
	reqMime     string
	reqSize     int
	form        [][2]string
	status      int
	statusText  string
	respHeaders [][2]string
	respMime    string
	respSize    int
	respBody    string
	err         string
}

// block renders x as the text trace shows it, every field through the
// sanitizer (headers, URLs and bodies are the server's words).
func (x *exchange) block(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- #%d %s %s %s\n", n, x.start.UTC().Format("2006-01-02T15:04:05.000Z"), clean(x.method), clean(x.url))
	for _, h := range x.reqHeaders {
		fmt.Fprintf(&b, "> %s: %s\n", clean(h[0]), clean(h[1]))
	}
	for _, f := range x.form {
		fmt.Fprintf(&b, ">   %s=%s\n", clean(f[0]), clean(f[1]))
	}
	if x.err != "" {
		fmt.Fprintf(&b, "< error after %v: %s\n\n", x.dur.Round(time.Millisecond), clean(x.err))
		return b.String()
	}
	fmt.Fprintf(&b, "< %d %s (%v)\n", x.status, clean(x.statusText), x.dur.Round(time.Millisecond))
	for _, h := range x.respHeaders {
		fmt.Fprintf(&b, "< %s: %s\n", clean(h[0]), clean(h[1]))
	}
	if x.respBody != "" {
		fmt.Fprintf(&b, "<   %s\n", clean(x.respBody))
	}
	b.WriteString("\n")
	return b.String()
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// transportErrorText is a transport error without the URL net/http puts
// in it (the trace shows the redacted URL already).
func transportErrorText(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

// redactURL shows u with the library's one URL redactor: the value of
// every parameter not known to be harmless, and the user realm's
// username, fingerprinted.
func redactURL(u *url.URL) string { return redact.URL(u, &redact.URLOptions{Replace: fingerprint}) }

// redactHeaders lists h sorted by name, secret values fingerprinted.
func redactHeaders(h http.Header) [][2]string {
	var out [][2]string
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			if redact.SecretHeader(k) {
				v = fingerprint(k, v)
			}
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// redactFormFields parses a form body into sorted fields, secret values
// fingerprinted; nil when s is no form.
func redactFormFields(s string) [][2]string {
	v, err := url.ParseQuery(s)
	if err != nil || len(v) == 0 {
		return nil
	}
	var out [][2]string
	for _, k := range sortedKeys(v) {
		for _, val := range v[k] {
			if redact.SecretField(k) && !(strings.EqualFold(k, "client_info") && val == "1") { // client_info=1 asks for it
				val = fingerprint(k, val)
			}
			out = append(out, [2]string{k, val})
		}
	}
	return out
}

// readCloser joins a reader with the closer of the body it reads.
type readCloser struct {
	io.Reader
	io.Closer
}
