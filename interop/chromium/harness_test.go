package chromium_test

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser or ends the test: it skips, naming the
// Debian package, unless ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1 forbids it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "real-browser test needs Chromium (Debian package chromium: apt-get install chromium)"
	if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
		t.Fatal(msg + "; ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1 forbids skipping")
	}
	t.Skip(msg)
	return ""
}

// spkiHash is the base64 SHA-256 of a certificate's public key, the form
// Chromium's --ignore-certificate-errors-spki-list takes.
func spkiHash(cert []byte) (string, error) {
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// serverSPKI dials a TLS server with client (which trusts it) and returns
// the hash of the key it presents.
func serverSPKI(t *testing.T, client *http.Client, serverURL string) string {
	t.Helper()
	resp, err := client.Get(serverURL)
	if err != nil {
		t.Fatalf("reaching %s: %v", serverURL, err)
	}
	resp.Body.Close()
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 {
		t.Fatalf("%s did not present a TLS certificate", serverURL)
	}
	h, err := spkiHash(resp.TLS.PeerCertificates[0].Raw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newChromium starts a headless Chromium with a fresh profile and returns
// a chromedp context for it; the browser stops when the test ends. It
// trusts exactly the TLS key whose hash is trustSPKI, scoped to this
// profile: Chromium honours --ignore-certificate-errors-spki-list only
// together with --user-data-dir, and only for that key, unlike
// --ignore-certificate-errors.
func newChromium(t *testing.T, trustSPKI string) context.Context {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	if trustSPKI != "" {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors-spki-list", trustSPKI))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, with the long-lived context (chromedp ties the
	// browser's life to the first Run's context).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// step runs chromedp actions with a deadline, so a page that never loads
// fails the test instead of hanging it.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("chromium: %s: %v", what, err)
	}
}

// waitLocation waits until the browser's location starts with prefix.
func waitLocation(t *testing.T, ctx context.Context, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && len(loc) >= len(prefix) && loc[:len(prefix)] == prefix {
			return loc
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser location %q (err %v); want it under %s", loc, err, prefix)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
