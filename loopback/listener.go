package loopback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default limits of the listener's HTTP server. A browser sends the
// redirect in one burst, so short read timeouts cost nothing and keep a
// local process from holding the listener open byte by byte (slowloris).
const (
	// DefaultReadHeaderTimeout bounds the time to read a request's headers.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultReadTimeout bounds the time to read a whole request, and to
	// write the answer.
	DefaultReadTimeout = 10 * time.Second
	maxHeaderBytes     = 64 << 10 // request line and headers, so also the query
	maxBodyBytes       = 64 << 10 // a form_post body is a few kilobytes
)

// ListenerOptions configure [Listen]. State is required; the rest have
// defaults.
type ListenerOptions struct {
	// RedirectURI is the redirect URI to answer on, e.g.
	// "http://localhost:8400". The scheme must be http and the host
	// localhost, 127.0.0.1 or [::1]. Without a port (or with port 0) the
	// operating system picks a free one; without a path the path is "/".
	// "" means "http://localhost". For localhost the listener binds
	// 127.0.0.1 and [::1] on one port; a fixed port taken on either fails
	// with a *PortInUseError, and when no system-chosen port is free on
	// both the redirect URI names 127.0.0.1 instead (RFC 8252 section 8.3),
	// so that it never names an address another program may answer on.
	// RedirectURI on the Listener is the one to send.
	RedirectURI string

	// ResponseMode is [ResponseModeFormPost] ("" means it) or
	// [ResponseModeQuery]. Responses in the other mode are refused.
	ResponseMode string

	// State is the state sent on the authorize request. Only a response
	// carrying it ends the wait; any other is answered and ignored.
	State string

	// Issuer, when set, is compared with an iss parameter in the response
	// (RFC 9207); a response naming another issuer fails the sign-in.
	Issuer string

	// ReadHeaderTimeout and ReadTimeout bound how long one connection may
	// take to send its headers, and its whole request. Zero means
	// [DefaultReadHeaderTimeout] and [DefaultReadTimeout].
	ReadHeaderTimeout, ReadTimeout time.Duration

	// Logger receives debug records about ignored requests; nil discards.
	// It never receives the code.
	Logger *slog.Logger

	listen      listenFunc    // nil: listenTCP; tests simulate taken or missing addresses
	waitTimeout time.Duration // 0: DefaultTimeout, for a Wait without a deadline
}

// Response is a successful authorization response.
type Response struct {
	// Code is the authorization code. It is a secret until redeemed:
	// Response's String method does not print it.
	Code string
	// ClientInfo, SessionState and Issuer are Entra's client_info,
	// session_state and the RFC 9207 iss, when the authority sent them.
	ClientInfo, SessionState, Issuer string
}

// String describes r without its code.
func (r Response) String() string {
	return fmt.Sprintf("loopback.Response{Code: [%d bytes], SessionState: %q, Issuer: %q}", len(r.Code), r.SessionState, r.Issuer)
}

// GoString is String, so %#v does not print the code either.
func (r Response) GoString() string { return r.String() }

// Format writes String for every verb: with String alone, %d or %x would
// print the fields one by one, the code among them.
func (r Response) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, r.String()) }

// Listener is a one-shot HTTP server on the loopback interface that waits
// for the authorization response of one sign-in. For "localhost" it binds
// 127.0.0.1 and [::1] on the same port, so the browser reaches it however
// it resolves "localhost" (one alone only where the machine lacks the
// other address). It answers only the redirect path, only requests
// whose Host is the redirect URI's, and stops listening as soon as the
// response carrying its state arrives.
type Listener struct {
	redirectURI, host, path, mode, state, issuer string
	log                                          *slog.Logger
	waitTimeout                                  time.Duration

	lns []net.Listener
	srv *http.Server
	wg  sync.WaitGroup

	mu      sync.Mutex
	result  *Response
	err     error
	done    chan struct{}
	closeMu sync.Once
}

// Listen binds the listener and starts serving. Call [Listener.Wait] for
// the response and [Listener.Close] when done; Close is safe to call more
// than once and after Wait.
func Listen(opts *ListenerOptions) (*Listener, error) {
	var o ListenerOptions
	if opts != nil {
		o = *opts
	}
	if o.State == "" {
		return nil, errors.New("loopback: ListenerOptions.State is required")
	}
	switch o.ResponseMode {
	case "":
		o.ResponseMode = ResponseModeFormPost
	case ResponseModeFormPost, ResponseModeQuery:
	default:
		return nil, fmt.Errorf("loopback: unknown response mode %q (want %q or %q)", o.ResponseMode, ResponseModeFormPost, ResponseModeQuery)
	}
	ru, err := parseRedirectURI(o.RedirectURI)
	if err != nil {
		return nil, err
	}
	if o.listen == nil {
		o.listen = listenTCP
	}
	b, err := bind(o.listen, ru.host, ru.port)
	if err != nil {
		return nil, err
	}
	lns, port := b.lns, b.port
	l := &Listener{
		host: ru.host, path: ru.path, mode: o.ResponseMode, state: o.State, issuer: o.Issuer,
		log: o.Logger, lns: lns, done: make(chan struct{}), waitTimeout: or(o.waitTimeout, DefaultTimeout),
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	l.host = net.JoinHostPort(strings.Trim(b.host, "[]"), strconv.Itoa(port))
	l.redirectURI = "http://" + l.host + ru.rawPath
	l.srv = &http.Server{
		Handler:           http.HandlerFunc(l.serveHTTP),
		ReadHeaderTimeout: or(o.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       or(o.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      or(o.ReadTimeout, DefaultReadTimeout),
		IdleTimeout:       or(o.ReadTimeout, DefaultReadTimeout),
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(l.log.Handler(), slog.LevelDebug),
	}
	for _, ln := range lns {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			_ = l.srv.Serve(ln) // returns when the listener closes
		}()
	}
	return l, nil
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// RedirectURI is the redirect URI to send on the authorize request and
// again on the token request, port included, e.g. "http://localhost:53124".
func (l *Listener) RedirectURI() string { return l.redirectURI }

// Addrs are the addresses the listener is bound to (127.0.0.1 and, when it
// could bind it, [::1], on one port).
func (l *Listener) Addrs() []net.Addr {
	out := make([]net.Addr, len(l.lns))
	for i, ln := range l.lns {
		out[i] = ln.Addr()
	}
	return out
}

// Wait blocks until the response carrying the listener's state arrives or
// ctx ends, then closes the listener. A ctx without a deadline waits
// [DefaultTimeout] at most. It returns the code, or the authority's error
// as an *oauth.Error with Endpoint "authorize", or ctx's error (its cause,
// when one was set).
func (l *Listener) Wait(ctx context.Context) (*Response, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.waitTimeout)
		defer cancel()
	}
	select {
	case <-l.done:
		l.Close()
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.result, l.err
	case <-ctx.Done():
		l.Close()
		// A response that raced the deadline still wins.
		select {
		case <-l.done:
			l.mu.Lock()
			defer l.mu.Unlock()
			return l.result, l.err
		default:
		}
		return nil, fmt.Errorf("loopback: waiting for the browser to return: %w", context.Cause(ctx))
	}
}

// Close stops listening, lets a response being written finish (for up to
// a second), closes every connection and waits for the server to stop.
func (l *Listener) Close() error {
	l.closeMu.Do(func() {
		l.closeListeners()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := l.srv.Shutdown(ctx); err != nil {
			_ = l.srv.Close()
		}
		l.wg.Wait()
	})
	return nil
}

func (l *Listener) closeListeners() {
	for _, ln := range l.lns {
		_ = ln.Close()
	}
}

// finish records the outcome once; it reports false when another response
// got there first.
func (l *Listener) finish(r *Response, err error) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.done:
		return false
	default:
	}
	l.result, l.err = r, err
	close(l.done)
	l.closeListeners() // no new connections from here on (RFC 8252 8.3)
	return true
}

func (l *Listener) finished() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// serveHTTP answers one request to the listener. It is not exported:
// the handler belongs to the listener's own loopback sockets only.
func (l *Listener) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// DNS rebinding: a page on evil.example resolving to 127.0.0.1 reaches
	// this socket with Host: evil.example:PORT. Only our own name passes.
	if !strings.EqualFold(r.Host, l.host) {
		l.log.Debug("loopback: refused a request for a foreign host", "host", r.Host, "remote", r.RemoteAddr)
		writePage(w, http.StatusForbidden, pageInvalid)
		return
	}
	if r.URL.Path != l.path {
		writePage(w, http.StatusNotFound, pageInvalid)
		return
	}
	if l.finished() {
		w.Header().Set("Connection", "close")
		writePage(w, http.StatusOK, pageDone)
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			l.log.Debug("loopback: unreadable request body", "error", err.Error(), "remote", r.RemoteAddr)
			writePage(w, http.StatusRequestEntityTooLarge, pageInvalid)
			return
		}
		body = b
	}
	p, err := parseRedirect(l.mode, r.Method, r.Header.Get("Content-Type"), r.URL.RawQuery, body)
	if err != nil {
		l.log.Debug("loopback: ignored a request", "reason", err.Error(), "method", r.Method, "remote", r.RemoteAddr)
		writePage(w, http.StatusBadRequest, pageInvalid)
		return
	}
	out, cerr := classify(p, l.state, l.issuer)
	switch out {
	case outcomeForged:
		l.log.Debug("loopback: ignored a response with a wrong or missing state", "remote", r.RemoteAddr)
		writePage(w, http.StatusBadRequest, pageForged)
	case outcomeError:
		w.Header().Set("Connection", "close")
		if !l.finish(nil, cerr) {
			writePage(w, http.StatusOK, pageDone)
			return
		}
		writePage(w, http.StatusOK, pageFailed(p.Error, p.ErrorDescription))
	case outcomeSuccess:
		w.Header().Set("Connection", "close")
		if !l.finish(&Response{Code: p.Code, ClientInfo: p.ClientInfo, SessionState: p.SessionState, Issuer: p.Issuer}, nil) {
			writePage(w, http.StatusOK, pageDone)
			return
		}
		writePage(w, http.StatusOK, pageSuccess)
	}
}
