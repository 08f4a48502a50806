package bench_test

import (
	"net"
	"testing"
	"time"
)

// rttProxy is a TCP proxy on loopback that holds every chunk of bytes
// for half a round-trip time in each direction before passing it on, so
// that a program in another process pays the round-trip time for each
// TCP and TLS handshake and for each request, as it would over a
// network. Order is kept; chunks read in the same instant travel
// together.
type rttProxy struct {
	ln     net.Listener
	target string
	oneWay time.Duration
}

// startRTTProxy listens on 127.0.0.1 and forwards to target; it stops at
// the end of the benchmark.
func startRTTProxy(tb testing.TB, target string, rtt time.Duration) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &rttProxy{ln: ln, target: target, oneWay: rtt / 2}
	tb.Cleanup(func() { ln.Close() })
	go p.serve()
	return ln.Addr().String()
}

func (p *rttProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *rttProxy) handle(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, 10*time.Second)
	if err != nil {
		c.Close()
		return
	}
	// The TCP handshake to the proxy took no time on loopback; the
	// client's first bytes (its TLS hello) wait out the SYN/SYN-ACK
	// round trip here instead.
	time.Sleep(2 * p.oneWay)
	done := make(chan struct{}, 2)
	go p.pipe(up, c, done)
	go p.pipe(c, up, done)
	<-done
	<-done
	c.Close()
	up.Close()
}

type chunk struct {
	b   []byte
	due time.Time
}

// pipe copies src to dst, each chunk delivered oneWay after it was read.
func (p *rttProxy) pipe(dst, src net.Conn, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{b: buf[:n], due: time.Now().Add(p.oneWay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.b); err != nil {
			src.Close()
			for range q { // drain so the reader ends
			}
			return
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	} else {
		_ = dst.Close()
	}
}
