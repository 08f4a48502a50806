package azurecli_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// The real Azure CLI tests run Debian's az (package azure-cli) against the
// fake authority. az knows login.microsoftonline.com and management.azure.com
// as the public cloud's hosts, and MSAL Python asks
// login.microsoftonline.com for instance discovery whatever authority a
// registered cloud names, so the test does not register a cloud: it
// serves the fake authority under the real host name
// (fakeauthority.Options.Host) and a minimal Azure Resource Manager
// stand-in (tenant and subscription lists) for management.azure.com,
// and points az's HTTPS_PROXY at a loopback CONNECT proxy that tunnels
// those two names, and nothing else, to the loopback servers.

// azPath finds az or ends the test.
func azPath(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("az"); err == nil {
		return p
	}
	const msg = "azurecli: real Azure CLI test needs az (Debian package azure-cli: apt-get install azure-cli)"
	if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
		t.Fatal(msg + "; ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1 forbids skipping")
	}
	t.Skip(msg)
	return ""
}

const (
	fakeSubscriptionID = "5e6f7a8b-0000-4000-8000-00000000005b"
	armHost            = "management.azure.com"
)

// azWorld is the fake cloud az runs against.
type azWorld struct {
	authority *fa.Authority
	configDir string
	env       []string
	proxy     *connectProxy
	az        string
}

func newAzWorld(t testing.TB, opts *fa.Options) *azWorld {
	t.Helper()
	az := azPath(t)
	if opts == nil {
		opts = &fa.Options{}
	}
	opts.Host = fa.DefaultHost
	a := fa.Start(t, opts)
	arm, armPEM := startARM(t)
	dir := t.TempDir()
	bundle := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bundle, append(a.CertPEM(), armPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, map[string]string{
		fa.DefaultHost + ":443": strings.TrimPrefix(a.URL(), "https://"),
		armHost + ":443":        arm,
	})
	cfg := filepath.Join(dir, "azure")
	// Set in this process too: the credential's own az runs inherit them.
	for k, v := range map[string]string{
		"AZURE_CONFIG_DIR": cfg,
		"HTTPS_PROXY":      "http://" + p.addr, "https_proxy": "http://" + p.addr,
		"HTTP_PROXY": "http://" + p.addr, "http_proxy": "http://" + p.addr,
		"NO_PROXY": "", "no_proxy": "",
		"REQUESTS_CA_BUNDLE":           bundle,
		"AZURE_CORE_COLLECT_TELEMETRY": "false",
	} {
		t.Setenv(k, v)
	}
	return &azWorld{authority: a, configDir: cfg, env: os.Environ(), proxy: p, az: az}
}

// run runs az with args and returns its standard output.
func (w *azWorld) run(t testing.TB, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.az, args...)
	cmd.Env = w.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.Bytes(), fmt.Errorf("az %s: %w\nstderr: %s\nproxy refused: %v", strings.Join(args, " "), err, stderr.String(), w.proxy.refused())
	}
	return stdout.Bytes(), nil
}

// connectProxy is an HTTP CONNECT proxy that tunnels only the listed
// host:port pairs, to loopback addresses.
type connectProxy struct {
	addr   string
	routes map[string]string
	mu     sync.Mutex
	denied []string
}

func (p *connectProxy) refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.denied...)
}

func startProxy(t testing.TB, routes map[string]string) *connectProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{addr: ln.Addr().String(), routes: routes}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	to, ok := p.routes[r.Host]
	if r.Method != http.MethodConnect || !ok {
		p.mu.Lock()
		p.denied = append(p.denied, r.Method+" "+r.Host)
		p.mu.Unlock()
		http.Error(w, "not routed by the test proxy", http.StatusForbidden)
		return
	}
	up, err := net.DialTimeout("tcp", to, 10*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "no hijack", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	go func() {
		defer up.Close()
		defer conn.Close()
		done := make(chan struct{})
		go func() {
			_, _ = io.Copy(up, buf)
			close(done)
		}()
		_, _ = io.Copy(conn, up)
		<-done
	}()
}

// startARM serves the two Azure Resource Manager lists az login reads,
// over TLS with a certificate for management.azure.com, and returns its
// address and the certificate (PEM).
func startARM(t testing.TB) (string, []byte) {
	t.Helper()
	cert, certPEM := selfSigned(t, armHost)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tenants", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		writeJSON(w, map[string]any{"value": []any{map[string]any{
			"id": "/tenants/" + fa.DefaultTenantID, "tenantId": fa.DefaultTenantID,
			"tenantCategory": "Home", "displayName": "Contoso", "defaultDomain": fa.DefaultTenantDomain,
		}}})
	})
	mux.HandleFunc("GET /subscriptions", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		writeJSON(w, map[string]any{"value": []any{map[string]any{
			"id": "/subscriptions/" + fakeSubscriptionID, "subscriptionId": fakeSubscriptionID,
			"tenantId": fa.DefaultTenantID, "displayName": "Fake subscription", "state": "Enabled",
			"subscriptionPolicies": map[string]any{"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
			"authorizationSource":  "RoleBased",
		}}})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), certPEM
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func selfSigned(t testing.TB, host string) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{host}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// httpClient reaches the fake authority under its real host name, as az
// does through the proxy.
func (w *azWorld) httpClient() *http.Client {
	addr := strings.TrimPrefix(w.authority.URL(), "https://")
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: w.authority.CertPool(), MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, to string) (net.Conn, error) {
			if to != fa.DefaultHost+":443" {
				return nil, fmt.Errorf("test: no route to %s", to)
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// login signs az in with the password grant.
func (w *azWorld) login(t testing.TB) {
	t.Helper()
	if out, err := w.run(t, "login", "-u", fa.DefaultUsername, "-p", fa.DefaultPassword, "--output", "json"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// azToken runs az account get-access-token and returns the token and
// the raw output.
func (w *azWorld) azToken(t testing.TB, args ...string) (string, []byte) {
	t.Helper()
	out, err := w.run(t, append([]string{"account", "get-access-token", "--output", "json"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.AccessToken == "" {
		t.Fatalf("az account get-access-token printed no token (%v)", err)
	}
	return v.AccessToken, out
}

// expireAccessTokens does to az's cache file what an hour does: every
// access token in it has expired.
func (w *azWorld) expireAccessTokens(t testing.TB) {
	t.Helper()
	path := filepath.Join(w.configDir, "msal_token_cache.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	past := strconv.FormatInt(time.Now().Add(-2*time.Minute).Unix(), 10)
	for _, e := range doc["AccessToken"] {
		e["expires_on"], e["extended_expires_on"] = past, past
	}
	b, err = json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
