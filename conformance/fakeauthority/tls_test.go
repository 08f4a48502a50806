package fakeauthority_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

func TestStartTLS(t *testing.T) {
	fa := fakeauthority.Start(t, nil)
	if !strings.HasPrefix(fa.URL(), "https://127.0.0.1:") || fa.CertPool() == nil || fa.TLSClient() == nil || len(fa.CertPEM()) == 0 {
		t.Fatalf("URL %q pool %v", fa.URL(), fa.CertPool())
	}
	_, doc := get(t, fa, fa.AuthorityURL("organizations")+"/v2.0/.well-known/openid-configuration")
	if doc["token_endpoint"] != fa.URL()+"/organizations/oauth2/v2.0/token" {
		t.Errorf("token_endpoint %v does not name the socket", doc["token_endpoint"])
	}
	// A client built only from CertPool trusts the socket too.
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fa.CertPool()}}}
	resp, err := c.Get(fa.URL() + "/common/discovery/v2.0/keys")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The default client does not.
	if _, err := http.Get(fa.URL() + "/common/discovery/v2.0/keys"); err == nil {
		t.Error("an untrusting client accepted the self-signed certificate")
	}
	if fakeauthority.New(nil).TLSClient() != nil {
		t.Error("in-memory authority has a TLS client")
	}
}

func TestDropConnectionOverTLS(t *testing.T) {
	fa := fakeauthority.Start(t, nil)
	fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.DropConnection())
	if _, err := fa.TLSClient().PostForm(tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read")); err == nil {
		t.Error("dropped connection gave no error")
	}
}

// fakeT is a Helper that records cleanups and failures.
type fakeT struct {
	cleanups []func()
	failed   string
}

func (f *fakeT) Helper()                        {}
func (f *fakeT) Cleanup(fn func())              { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) Fatalf(format string, a ...any) { f.failed = fmt.Sprintf(format, a...) }

// TestStartCleanup: Start registers a cleanup that closes the socket.
func TestStartCleanup(t *testing.T) {
	ft := &fakeT{}
	fa := fakeauthority.Start(ft, nil)
	if fa == nil || ft.failed != "" || len(ft.cleanups) != 1 {
		t.Fatalf("Start: failed %q, %d cleanups", ft.failed, len(ft.cleanups))
	}
	ft.cleanups[0]()
	if _, err := fa.TLSClient().Get(fa.URL() + "/common/discovery/v2.0/keys"); err == nil {
		t.Error("the socket still answers after the cleanup")
	}
	if _, err := fakeauthority.Listen("256.0.0.1:0", nil); err == nil {
		t.Error("Listen on a bad address succeeded")
	}
}

func TestListenAndServe(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan *fakeauthority.Authority, 1)
	done := make(chan error, 1)
	go func() {
		done <- fakeauthority.ListenAndServe(ctx, "127.0.0.1:0", nil, func(a *fakeauthority.Authority) { ready <- a })
	}()
	var fa *fakeauthority.Authority
	select {
	case fa = <-ready:
	case err := <-done:
		t.Fatalf("ListenAndServe: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	if status, _ := get(t, fa, fa.AuthorityURL("common")+"/v2.0/.well-known/openid-configuration"); status != 200 {
		t.Errorf("status %d", status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}
