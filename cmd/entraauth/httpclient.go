package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"
)

// testTransport, when a test sets it, carries every request to a real
// (not --fake) authority: a test maps https://login.microsoftonline.com to
// a fake authority with it, as a proxy would.
var testTransport http.RoundTripper

// httpClient returns the client for a real authority: the default one, or
// one that also trusts the certificates of the CA files given (--ca-file
// or SSL_CERT_FILE, and the one login remembered; "" is skipped).
func httpClient(caFiles ...string) (*http.Client, error) {
	if testTransport != nil {
		return &http.Client{Transport: testTransport}, nil
	}
	var pool *x509.CertPool
	for _, caFile := range caFiles {
		if caFile == "" {
			continue
		}
		pem, err := readFileMax(caFile, maxCAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file (--ca-file, SSL_CERT_FILE or login's): %w", err)
		}
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", caFile)
		}
	}
	if pool == nil {
		return nil, nil // the library's default
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}

// authorityHostOf turns a record's authority into an authority host URL:
// azure-identity (Python) writes the bare host, "login.microsoftonline.com",
// this tool and azidentity (Go) the URL, "https://login.microsoftonline.com".
func authorityHostOf(authority string) string {
	a := strings.TrimRight(strings.TrimSpace(authority), "/")
	if a == "" || strings.Contains(a, "://") {
		return a
	}
	return "https://" + a
}
