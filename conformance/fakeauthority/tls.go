package fakeauthority

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"time"
)

// Helper is the part of *testing.T that [Start] uses; *testing.T and
// *testing.B satisfy it. The package does not import testing, so programs
// (the entraauth command) can embed the authority.
type Helper interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// tlsServer is the socket side of an authority.
type tlsServer struct {
	srv     *http.Server
	ln      net.Listener
	addr    string
	pool    *x509.CertPool
	certPEM []byte
	done    chan struct{}
}

// Start starts an authority on a TLS socket at 127.0.0.1 on a free port,
// and closes it when the test ends. Its [Authority.Client] (also
// [Authority.TLSClient]) trusts the certificate; [Authority.URL] is
// https://127.0.0.1:PORT. Use it where a real socket matters (real MSAL,
// a browser); prefer [New] everywhere else, and never use a socket inside
// a testing/synctest bubble.
func Start(t Helper, opts *Options) *Authority {
	t.Helper()
	a, err := Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatalf("fakeauthority: %v", err)
		return nil
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// Listen starts an authority on a TLS socket at addr (for example
// "127.0.0.1:8443", or port 0 for a free one), with a self-signed
// certificate for 127.0.0.1, ::1, localhost and Options.Host, made at
// start. The caller must [Authority.Close] it. [Authority.CertPEM] is the
// certificate to trust.
func Listen(addr string, opts *Options) (*Authority, error) {
	a, err := build(opts)
	if err != nil {
		return nil, err
	}
	cert, certPEM, err := selfSignedCert(a.opts.Host)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	s := &tlsServer{
		srv: &http.Server{
			Handler:           a,
			ReadHeaderTimeout: 10 * time.Second,
			TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
			ErrorLog:          log.New(io.Discard, "", 0), // TLS handshake noise from clients that do not trust us
		},
		ln: ln, addr: ln.Addr().String(), pool: pool, certPEM: certPEM, done: make(chan struct{}),
	}
	a.server = s
	a.client = &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}}
	go func() {
		defer close(s.done)
		_ = s.srv.ServeTLS(ln, "", "")
	}()
	return a, nil
}

// ListenAndServe serves the authority on addr over TLS until ctx ends,
// then shuts down gracefully. It calls ready, if not nil, once the socket
// listens, with the running authority (for its URL and certificate).
func ListenAndServe(ctx context.Context, addr string, opts *Options, ready func(*Authority)) error {
	a, err := Listen(addr, opts)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(a)
	}
	<-ctx.Done()
	return a.Close()
}

// Close stops the socket of an authority made by [Start] or [Listen],
// waiting up to five seconds for requests in flight. It does nothing for
// an in-memory authority.
func (a *Authority) Close() error {
	s := a.server
	if s == nil {
		return nil
	}
	// Closing our own client's idle connections first spares Shutdown the
	// one-second HTTP/2 GOAWAY wait.
	if t, ok := a.client.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	<-s.done
	return err
}

// CertPEM returns the PEM certificate of the TLS socket (nil in memory),
// for a program to write to a file clients trust (SSL_CERT_FILE).
func (a *Authority) CertPEM() []byte {
	if a.server == nil {
		return nil
	}
	return append([]byte(nil), a.server.certPEM...)
}

// selfSignedCert makes an ECDSA P-256 certificate valid for a day, for
// the loopback names and extra (a host[:port]) when set.
func selfSignedCert(extra string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"entraauth fake authority"}, CommonName: "fake authority"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if extra != "" {
		h := extra
		if host, _, err := net.SplitHostPort(extra); err == nil {
			h = host
		}
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}
