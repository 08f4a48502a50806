package fakeauthority

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ErrConnectionDropped is what the in-memory transport returns for a
// request the authority answered by dropping the connection (a
// [DropConnection] fault); over a socket the client sees EOF instead.
var ErrConnectionDropped = errors.New("fakeauthority: connection dropped by the fake authority")

// memTransport calls the authority's handler in-process. It starts no
// goroutine and touches no socket, so it works inside testing/synctest.
// The one exception is plain http to a loopback host (the redirect URI of
// a native app): those requests go to the real network, so a test that
// plays the browser with [Authority.Client] reaches the app's listener.
type memTransport struct {
	a    *Authority
	real http.RoundTripper
}

// RoundTrip serves req with the handler and returns the recorded response.
func (t *memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && isLoopback(req.URL.Hostname()) {
		return t.real.RoundTrip(req)
	}
	if req.Body != nil {
		defer req.Body.Close()
	}
	sr := req.Clone(req.Context())
	sr.RequestURI = req.URL.RequestURI()
	if sr.Host == "" {
		sr.Host = req.URL.Host
	}
	sr.RemoteAddr = "192.0.2.1:49152"
	sr.Proto, sr.ProtoMajor, sr.ProtoMinor = "HTTP/1.1", 1, 1
	if req.URL.Scheme == "https" {
		sr.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: req.URL.Hostname(), Version: tls.VersionTLS13}
	}
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}}
	if dropped := serveRecover(t.a, rec, sr); dropped {
		return nil, ErrConnectionDropped
	}
	if err := req.Context().Err(); err != nil {
		return nil, err // the caller gave up while the handler waited
	}
	return rec.response(req), nil
}

// serveRecover runs the handler; true when it aborted the connection.
func serveRecover(h http.Handler, w http.ResponseWriter, r *http.Request) (dropped bool) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				dropped = true
				return
			}
			panic(v)
		}
	}()
	h.ServeHTTP(w, r)
	return false
}

// recorder is a minimal http.ResponseWriter that keeps the response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// Flush is a no-op; the whole body is delivered at once.
func (r *recorder) Flush() {}

// response turns the recording into a client-side response.
func (r *recorder) response(req *http.Request) *http.Response {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	body := r.body.Bytes()
	h := r.header.Clone()
	if h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", r.status, http.StatusText(r.status)),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
		TLS:           req.TLS,
	}
}

// isLoopback reports whether host names the local machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackTransport is the real transport for loopback redirect URIs: no
// proxy, short timeouts.
func loopbackTransport() http.RoundTripper {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
}
