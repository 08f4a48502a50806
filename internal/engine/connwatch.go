package engine

import (
	"context"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// connWait bounds how long the key-set fetch waits for the caller's
// request to open a connection it could share (see wire.connSignal).
// Past it the fetch opens its own, as it would with no signal.
const connWait = 250 * time.Millisecond

// connWatch tells the key-set fetch when a request of this wire has a
// connection. Over HTTP/2 (RFC 9113 section 9.1: a client should keep
// one connection per origin) the fetch then travels on that connection
// instead of opening a second one in the same instant; every new process
// otherwise pays two TCP and TLS handshakes for its first token.
type connWatch struct {
	watching atomic.Bool // a signal is waiting: trace the next request
	hadConn  atomic.Bool // a request of this wire has had a connection

	mu sync.Mutex
	ch chan struct{} // closed by fire; nil when nobody waits
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// connSignal returns a channel closed once a request of this wire has a
// connection, or has ended without one. It is closed already when a
// request had one before (the transport keeps it for reuse).
func (w *connWatch) connSignal() <-chan struct{} {
	if w.hadConn.Load() {
		return closedChan
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
		w.watching.Store(true)
	}
	return w.ch
}

// fire closes the waiting signal, if any.
func (w *connWatch) fire(gotConn bool) {
	if gotConn {
		w.hadConn.Store(true)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
		w.watching.Store(false)
	}
}

// trace returns ctx with a hook that fires the signal when the request
// gets its connection, and whether it added one (the caller then fires
// once the request ends, in case it never got a connection). A request
// nobody waits on is not traced.
func (w *connWatch) trace(ctx context.Context) (context.Context, bool) {
	if !w.watching.Load() {
		return ctx, false
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { w.fire(true) },
	}), true
}
