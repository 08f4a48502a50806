package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// trustsFake reports whether the certificate in file lets a client reach
// a over TLS.
func trustsFake(t *testing.T, file string, a *fakeauthority.Authority) error {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(a.AuthorityURL(fakeauthority.DefaultTenantID) + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// certLine is the certificate path fake-authority printed.
func certLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "  certificate: "); ok {
			return v
		}
	}
	return ""
}

// TestFakeAuthoritySideBySide runs a second fake-authority (same user,
// same profile) while the first serves: each writes its own certificate
// file by default, and the first one's file still trusts the first
// server afterwards; --cert-file writes where it is told.
func TestFakeAuthoritySideBySide(t *testing.T) {
	sio1, out1, errb1 := testIO(t, nil)
	sio2, out2, errb2 := testIO(t, nil)
	sio2.userCacheDir = sio1.userCacheDir
	sio3, out3, errb3 := testIO(t, nil)
	sio3.userCacheDir = sio1.userCacheDir
	explicit := filepath.Join(t.TempDir(), "ca.pem")
	ctx1, cancel1 := context.WithCancel(t.Context())
	t.Cleanup(func() { fakeReady = nil })
	fakeReady = func(a1 *fakeauthority.Authority) {
		defer cancel1()
		ctx2, cancel2 := context.WithCancel(t.Context())
		fakeReady = func(a2 *fakeauthority.Authority) {
			defer cancel2()
			ctx3, cancel3 := context.WithCancel(t.Context())
			fakeReady = func(a3 *fakeauthority.Authority) {
				defer cancel3()
				if err := trustsFake(t, explicit, a3); err != nil {
					t.Errorf("--cert-file %s does not trust its fake: %v", explicit, err)
				}
			}
			if code := run(ctx3, []string{"fake-authority", "--cert-file", explicit}, sio3); code != exitOK {
				t.Errorf("third fake-authority --cert-file: exit %d: %s", code, errb3)
			}
			for i, c := range []struct {
				out string
				a   *fakeauthority.Authority
			}{{out1.String(), a1}, {out2.String(), a2}} {
				if err := trustsFake(t, certLine(c.out), c.a); err != nil {
					t.Errorf("fake %d's certificate file %q does not trust it while another runs: %v", i+1, certLine(c.out), err)
				}
			}
		}
		if code := run(ctx2, []string{"fake-authority"}, sio2); code != exitOK {
			t.Errorf("second fake-authority: exit %d: %s", code, errb2)
		}
	}
	if code := run(ctx1, []string{"fake-authority"}, sio1); code != exitOK {
		t.Fatalf("fake-authority: exit %d: %s", code, errb1)
	}
	c1, c2 := certLine(out1.String()), certLine(out2.String())
	if c1 == "" || c1 == c2 || certLine(out3.String()) != explicit {
		t.Errorf("certificate files %q, %q and %q; want two distinct defaults and the --cert-file", c1, c2, certLine(out3.String()))
	}
}

// TestFakeAuthorityAutoApproveBrowser: with --auto-approve the fake
// signs a browser in without its sign-in page, as a user would have: a
// browser nobody types into (it follows redirects and runs the
// auto-submitting form_post page, nothing else) completes the loopback
// flow.
func TestFakeAuthorityAutoApproveBrowser(t *testing.T) {
	sio, _, errb := testIO(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(func() { fakeReady = nil })
	var rec oauth.AuthenticationRecord
	var signErr error
	fakeReady = func(a *fakeauthority.Authority) {
		defer cancel()
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(a.CertPEM())
		browser := &http.Client{Timeout: 10 * time.Second,
			Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: pool}}}
		cred, err := loopback.New("", &loopback.Options{
			ClientOptions: oauth.ClientOptions{AuthorityHost: a.URL(), DisableInstanceDiscovery: true, HTTPClient: a.TLSClient()},
			OpenURL:       func(ctx context.Context, u string) error { return robotBrowser(ctx, browser, u) },
		})
		if err != nil {
			signErr = err
			return
		}
		sctx, scancel := context.WithTimeout(ctx, 20*time.Second)
		defer scancel()
		rec, signErr = cred.Authenticate(sctx, oauth.TokenOptions{})
	}
	if code := run(ctx, []string{"fake-authority", "--auto-approve", "1s"}, sio); code != exitOK {
		t.Fatalf("fake-authority --auto-approve: exit %d: %s", code, errb)
	}
	if signErr != nil || rec.Username != fakeauthority.DefaultUsername {
		t.Errorf("browser sign-in under --auto-approve = %+v, %v; want %s signed in with no form", rec, signErr, fakeauthority.DefaultUsername)
	}
}

// robotBrowser is a browser with nobody at it: it follows redirects and
// submits a page that submits itself (response_mode=form_post), and
// fails on a page that waits for a person (a password field).
func robotBrowser(ctx context.Context, c *http.Client, u string) error {
	p, err := fakeFetch(ctx, c, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if strings.Contains(string(p.Body), `type="password"`) || !strings.Contains(string(p.Body), "submit()") {
		return &oauth.CredentialUnavailableError{Credential: "robot browser", Reason: "the fake showed a page that waits for a person"}
	}
	action, form, err := fakePageForm(p)
	if err != nil {
		return err
	}
	_, err = fakeFetch(ctx, c, http.MethodPost, action, form)
	return err
}
