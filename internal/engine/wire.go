package engine

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// Identification sent with every request, as MSAL libraries send it
// (x-client-SKU, x-client-Ver, x-client-OS, x-client-CPU, client-request-id).
const (
	clientSKU     = "entraauth.Go"
	clientVersion = "0.1.0"
)

const (
	maxBody           = 1 << 20          // every body read is bounded to 1 MiB
	defaultTimeout    = 30 * time.Second // per request, when ctx has no deadline
	maxRetryAfter     = 10 * time.Second // longest Retry-After honoured on 429
	defaultRetryAfter = 1 * time.Second  // wait before the one retry when the server names none
)

// wire sends requests to the authority: identification headers, a fresh
// client-request-id per operation, bounded bodies, no redirects, one retry.
type wire struct {
	hc     *http.Client // CheckRedirect refuses redirects
	log    *slog.Logger
	logPII bool
	conns  connWatch // when a request has a connection the key-set fetch can share
}

func newWire(hc *http.Client, log *slog.Logger, logPII bool) *wire {
	if hc == nil {
		hc = http.DefaultClient
	}
	cp := *hc
	// A token or password POST must never be re-sent to another origin on a
	// 307/308 (RFC 9110 section 15.4.8 keeps the method and body): redirects
	// come back as responses.
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &wire{hc: &cp, log: log, logPII: logPII}
}

// response is a read, bounded HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// newRequestID returns 16 crypto/rand bytes formatted as a version 4 UUID.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// do sends one operation: a GET when form is nil, else a form POST. It
// retries once on 5xx, 408, 429 (honouring Retry-After up to a cap) and on
// a reset or refused connection, keeping the client-request-id.
func (w *wire) do(ctx context.Context, endpoint, method, target string, form url.Values) (*response, error) {
	// Every operation has a deadline: the caller's, or defaultTimeout when
	// that is sooner or there is none, so an endpoint that accepts and never
	// answers cannot hold a caller of context.Background() forever, nor
	// spend the whole budget of a caller with a long deadline.
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()
	reqID := newRequestID()
	var body string
	if form != nil {
		body = form.Encode()
	}
	var secrets []string // every spelling of form's secrets, made for the first error answer
	for attempt := 0; ; attempt++ {
		resp, err := w.once(ctx, endpoint, method, target, body, form != nil, reqID)
		e, _ := err.(*oauth.Error)
		snippet := e != nil && e.Snippet != ""
		if resp != nil && form != nil && (snippet || redact.ErrorAnswer(resp.status, resp.body)) {
			// An error answer that quotes our request must not carry our
			// secrets into an *Error, a snippet or a log. (A success is
			// left alone, and costs no spelling of the secrets.)
			if secrets == nil {
				secrets = redact.SentSecrets(form)
			}
			resp.body = redact.ScrubEcho(resp.status, resp.body, secrets)
			if snippet {
				e.Snippet = redact.ScrubString(e.Snippet, secrets)
			}
		}
		if attempt > 0 {
			return resp, err
		}
		wait, retry := retryAfter(resp, err)
		if !retry || ctx.Err() != nil {
			return resp, err
		}
		w.log.LogAttrs(ctx, slog.LevelInfo, "oauth: retrying request",
			slog.String("endpoint", endpoint), slog.String("client_request_id", reqID), slog.Duration("after", wait))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &oauth.Error{Endpoint: endpoint, Code: "request_failed", Err: ctx.Err()}
		case <-t.C:
		}
	}
}

// PostForm posts form to target the way the engine sends its own
// requests: identification headers, a deadline even when ctx has none
// (30 s per operation), a body bounded to 1 MiB, no redirects followed,
// one retry on a transient failure. endpoint names the endpoint in
// errors and logs ("devicecode"). It returns the status and body of the
// answer, whatever the status, or an *Error when there was none (or the
// body was too large).
func (c *Client) PostForm(ctx context.Context, endpoint, target string, form url.Values) (status int, body []byte, err error) {
	if form == nil {
		form = url.Values{}
	}
	resp, err := c.wire.do(ctx, endpoint, http.MethodPost, target, form)
	if err != nil {
		return 0, nil, err
	}
	return resp.status, resp.body, nil
}

func (w *wire) once(ctx context.Context, endpoint, method, target, body string, isForm bool, reqID string) (*response, error) {
	var rd io.Reader
	if isForm {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, &oauth.Error{Endpoint: endpoint, Code: "request_failed", Err: errors.New("building the request failed")}
	}
	if isForm {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	req.Header.Set("Accept", "application/json")
	// Names in canonical form: Header.Set would allocate a canonical copy
	// of each (the wire carries the canonical form either way).
	req.Header.Set("X-Client-Sku", clientSKU)
	req.Header.Set("X-Client-Ver", clientVersion)
	req.Header.Set("X-Client-Os", runtime.GOOS)
	req.Header.Set("X-Client-Cpu", runtime.GOARCH)
	req.Header.Set("Client-Request-Id", reqID)
	req.Header.Set("Return-Client-Request-Id", "true")
	start := time.Now()
	w.log.LogAttrs(ctx, slog.LevelDebug, "oauth: request",
		slog.String("endpoint", endpoint), slog.String("method", method),
		slog.String("url", redact.URLString(target, &redact.URLOptions{KeepUsername: w.logPII})), slog.String("client_request_id", reqID))
	hr, err := w.doTraced(req)
	if err != nil {
		w.log.LogAttrs(ctx, slog.LevelWarn, "oauth: request failed",
			slog.String("endpoint", endpoint), slog.String("client_request_id", reqID), slog.String("error", transportError(err)))
		return nil, &oauth.Error{Endpoint: endpoint, Code: "request_failed", Err: cleanTransportErr(ctx, err)}
	}
	defer hr.Body.Close()
	b, err := io.ReadAll(io.LimitReader(hr.Body, maxBody+1))
	resp := &response{status: hr.StatusCode, header: hr.Header, body: b}
	w.log.LogAttrs(ctx, slog.LevelDebug, "oauth: response",
		slog.String("endpoint", endpoint), slog.Int("status", hr.StatusCode),
		slog.String("client_request_id", reqID),
		slog.String("correlation_id", redact.Text(hr.Header.Get("x-ms-request-id"))),
		slog.Duration("elapsed", time.Since(start)))
	if ctxErr := ctx.Err(); ctxErr != nil {
		// Whatever arrived was cut short by the caller's context.
		return nil, &oauth.Error{Endpoint: endpoint, Code: "request_failed", Err: ctxErr}
	}
	if err != nil {
		return resp, &oauth.Error{Endpoint: endpoint, StatusCode: hr.StatusCode, Code: "invalid_response",
			Description: "reading the response body failed", Err: cleanTransportErr(ctx, err)}
	}
	if len(b) > maxBody {
		return resp, &oauth.Error{Endpoint: endpoint, StatusCode: hr.StatusCode, Code: "invalid_response",
			Description: "response body larger than 1 MiB", Snippet: snippet(b)}
	}
	return resp, nil
}

// doTraced sends req, firing the connection signal for the key-set
// fetch waiting on it (see connWatch).
func (w *wire) doTraced(req *http.Request) (*http.Response, error) {
	ctx, traced := w.conns.trace(req.Context())
	if !traced {
		return w.hc.Do(req)
	}
	hr, err := w.hc.Do(req.WithContext(ctx))
	w.conns.fire(false)
	return hr, err
}

// retryAfter decides whether the one retry is due and how long to wait.
func retryAfter(resp *response, err error) (time.Duration, bool) {
	if resp == nil {
		return 0, err != nil && transientTransport(err)
	}
	if err != nil {
		return 0, false
	}
	switch {
	case resp.status == http.StatusTooManyRequests, resp.status == http.StatusServiceUnavailable:
		d, ok := parseRetryAfter(resp.header.Get("Retry-After"))
		if !ok {
			d = defaultRetryAfter
		}
		if d > maxRetryAfter {
			return 0, false // the caller learns of the throttling instead of waiting minutes
		}
		return d, true
	case resp.status == http.StatusRequestTimeout, resp.status >= 500 && resp.status <= 599:
		return 0, true
	}
	return 0, false
}

// transientTransport reports whether a request that got no response may
// be retried: a reset, refused or dropped connection (an HTTP/2 stream
// reset included), but not a cancelled context, a certificate the client
// refuses, or a host that does not exist.
func transientTransport(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var (
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		dnsErr  *net.DNSError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid):
		return false
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return false
	}
	return true
}

func parseRetryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// cleanTransportErr keeps the error chain (so errors.Is(err,
// context.DeadlineExceeded) works) and the URL, without its query,
// fragment or user information and with the user realm path segment (a
// username) redacted: an error names the endpoint that failed, never a
// secret or a username.
func cleanTransportErr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: redact.URLString(ue.URL, nil), Err: ue.Err}
	}
	return err
}

func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
