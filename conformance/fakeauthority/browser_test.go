package fakeauthority_test

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// These system tests drive a real headless Chromium through the fake's
// pages. Without Chromium they skip, naming the Debian package, unless
// ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1, where they fail.

func chromium(t *testing.T, fa *fakeauthority.Authority) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		const msg = "fakeauthority: browser test needs Chromium (Debian package chromium)"
		if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
			t.Fatal(msg + "; ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1 forbids skipping")
		}
		t.Skip(msg)
	}
	block, _ := pem.Decode(fa.CertPEM())
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	spki := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		// Trust exactly the fake's certificate, nothing else.
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// TestBrowserSignInFormPost: Chromium loads the sign-in page, a user types
// the password, and the auto-submitting form_post page delivers the code
// to a loopback listener, which the test then redeems.
func TestBrowserSignInFormPost(t *testing.T) {
	fa := fakeauthority.Start(t, nil)
	ctx := chromium(t, fa)
	got := make(chan url.Values, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.ParseForm() == nil {
			got <- r.PostForm
		}
		_, _ = w.Write([]byte(`<p id="app">signed in</p>`))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	redirect := "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	q := authorizeQuery(redirect, "form_post")
	err = chromedp.Do(ctx,
		chromedp.Navigate(tenantURL(fa)+"/oauth2/v2.0/authorize?"+q.Encode()),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), fakeauthority.DefaultUsername),
		chromedp.SendKeys(chromedp.ID("password"), fakeauthority.DefaultPassword),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("app")),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	form := <-got
	if form.Get("state") != "st-123" || form.Get("code") == "" {
		t.Fatalf("listener got %v", form)
	}
	status, body := redeem(t, fa, form.Get("code"), redirect, verifier)
	if status != 200 {
		t.Errorf("redeem: %d %v", status, body)
	}
}

// TestBrowserDeviceLogin: Chromium types a user code on /devicelogin and
// signs in; the device code is then approved.
func TestBrowserDeviceLogin(t *testing.T) {
	fa := fakeauthority.Start(t, nil)
	ctx := chromium(t, fa)
	dc := startDevice(t, fa, "organizations")
	err := chromedp.Do(ctx,
		chromedp.Navigate(dc["verification_uri"].(string)),
		chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.SendKeys(chromedp.ID("code"), dc["user_code"].(string)),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("username"), fakeauthority.DefaultUsername),
		chromedp.SendKeys(chromedp.ID("password"), fakeauthority.DefaultPassword),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("done")))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if got := fa.DeviceCodes()[0]; got.State != fakeauthority.DeviceApproved || got.Username != fakeauthority.DefaultUsername {
		t.Errorf("device code %+v after the page said %q", got, done)
	}
}
