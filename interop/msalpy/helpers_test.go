package msalpy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/cache/persistent"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

const (
	// entraHost is the host both sides are configured with, so the cache's
	// environment is the real one; the fake authority answers for it (our
	// client dials the fake, Python goes through a CONNECT proxy to it).
	entraHost  = "login.microsoftonline.com"
	pythonPath = "/usr/bin/python3"
	// armScope is what az and azure-identity ask for; the fake answers the
	// granted set "…/user_impersonation …/.default".
	armScope = "https://management.core.windows.net//.default"
	// scriptTimeout bounds every Python run.
	scriptTimeout = 90 * time.Second
)

// pythonCheck imports the packages once per test binary; its result is
// the import's output on failure, "" when they are all there.
var pythonCheck = sync.OnceValue(func() string {
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, pythonPath, "-c", "import msal, msal_extensions, azure.identity").CombinedOutput()
	if err == nil {
		return ""
	}
	return strings.TrimSpace(err.Error() + ": " + string(out))
})

// requirePython ends the test unless /usr/bin/python3 imports msal,
// msal_extensions and azure.identity: a skip naming the Debian packages,
// or a failure under ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1.
func requirePython(t *testing.T) {
	t.Helper()
	failure := pythonCheck()
	if failure == "" {
		return
	}
	msg := "msalpy: needs MSAL Python, msal-extensions and azure-identity for /usr/bin/python3 " +
		"(Debian packages python3-msal python3-msal-extensions python3-azure: apt-get install python3-msal python3-msal-extensions python3-azure): " +
		failure
	if os.Getenv("ENTRAAUTH_REQUIRE_SYSTEM_TESTS") == "1" {
		t.Fatal(msg + "; ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1 forbids skipping")
	}
	t.Skip(msg)
}

// env is one scenario's world: the fake authority on TLS, its CA file for
// Python, a HOME of its own and the shared cache file.
type env struct {
	t     *testing.T
	fa    *fakeauthority.Authority
	base  string // https://login.microsoftonline.com, served by fa
	proxy string // http://127.0.0.1:PORT, the CONNECT proxy to fa for Python
	ca    string // PEM file of the fake's certificate
	home  string // HOME for Python (azure-identity's ~/.IdentityService)
	cache string // the shared cache file
	// persistent, when set, opens our side's cache with
	// persistent.New (azure-identity's named cache) instead of
	// the plaintext file at cache.
	persistent *persistent.Options
}

// noBus is a D-Bus address that reaches no bus: neither side finds a
// Secret Service, so both use the unencrypted file they were allowed.
const noBus = "disabled:"

// newEnv starts the fake authority over TLS with single-use refresh
// tokens (rotation enforced) unless opts says otherwise, device codes
// approved at the first poll and a one-second poll interval.
func newEnv(t *testing.T, opts *fakeauthority.Options) *env {
	t.Helper()
	requirePython(t)
	t.Parallel() // each scenario has its own fake, proxy, HOME and file
	if opts == nil {
		opts = &fakeauthority.Options{RejectRefreshTokenReuse: true}
	}
	opts.AutoApproveDevice = time.Millisecond
	opts.DeviceInterval = time.Second
	opts.Host = entraHost
	fa := fakeauthority.Start(t, opts)
	dir := t.TempDir()
	e := &env{t: t, fa: fa, base: "https://" + entraHost, proxy: startProxy(t, fa), ca: filepath.Join(dir, "fake-ca.pem"), home: filepath.Join(dir, "home"),
		cache: filepath.Join(dir, "msal_token_cache.json")}
	if err := os.WriteFile(e.ca, fa.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(e.home, 0o700); err != nil {
		t.Fatal(err)
	}
	return e
}

// authority is the tenant authority URL both sides are configured with.
func (e *env) authority() string { return e.base + "/" + fakeauthority.DefaultTenantID }

// py runs testdata/<script> with cfg (plus the defaults every script
// reads) and returns the JSON object it prints. A script that exits
// non-zero or prints no JSON fails the test, with its stderr.
func (e *env) py(script string, cfg map[string]any) map[string]any {
	e.t.Helper()
	out, err := e.start(script, cfg).wait()
	if err != nil {
		e.t.Fatalf("%s: %v", script, err)
	}
	return out
}

// pyRun is a running Python script.
type pyRun struct {
	script         string
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	stdout, stderr syncBuffer
	cancel         context.CancelFunc
	done           chan struct{} // closed when the script has exited
	err            error         // its exit error, set before done closes
}

// syncBuffer is a bytes.Buffer the test may read while the script writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the script has printed line, or fails the test
// when the script ends or scriptTimeout passes first.
func (r *pyRun) waitFor(t *testing.T, line string) {
	t.Helper()
	deadline := time.Now().Add(scriptTimeout)
	for !strings.Contains(r.stdout.String(), line+"\n") {
		select {
		case <-r.done:
			t.Fatalf("%s ended (%v) without printing %q: %s%s", r.script, r.err, line, r.stdout.String(), r.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never printed %q", r.script, line)
		}
	}
}

// start starts testdata/<script> without waiting for it.
func (e *env) start(script string, cfg map[string]any) *pyRun {
	e.t.Helper()
	full := map[string]any{
		"authority": e.authority(), "authority_host": e.base, "environment": strings.TrimPrefix(e.base, "https://"), "tenant": fakeauthority.DefaultTenantID,
		"client_id": fakeauthority.AzureCLIClientID, "cache": e.cache, "scopes": []string{armScope},
		"username": fakeauthority.DefaultUsername, "password": fakeauthority.DefaultPassword,
	}
	for k, v := range cfg {
		full[k] = v
	}
	arg, err := json.Marshal(full)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	r := &pyRun{script: script, cancel: cancel, done: make(chan struct{})}
	r.cmd = exec.CommandContext(ctx, pythonPath, filepath.Join("testdata", script), string(arg))
	r.cmd.Env = []string{
		"HOME=" + e.home, "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1",
		"REQUESTS_CA_BUNDLE=" + e.ca, "HTTPS_PROXY=" + e.proxy, "https_proxy=" + e.proxy,
		// No Secret Service: azure-identity then falls back to the file
		// its allow_unencrypted_storage=True allows.
		"DBUS_SESSION_BUS_ADDRESS=" + noBus,
	}
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if r.stdin, err = r.cmd.StdinPipe(); err != nil {
		cancel()
		e.t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		cancel()
		e.t.Fatalf("%s: %v", script, err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	e.t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// wait waits for the script and decodes its last stdout line.
func (r *pyRun) wait() (map[string]any, error) {
	<-r.done
	if r.err != nil {
		return nil, &scriptError{r.script, r.err, r.stderr.String()}
	}
	lines := strings.Split(strings.TrimSpace(r.stdout.String()), "\n")
	var out map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &out); err != nil {
		return nil, &scriptError{r.script, err, r.stdout.String() + r.stderr.String()}
	}
	return out, nil
}

type scriptError struct {
	script string
	err    error
	output string
}

func (e *scriptError) Error() string { return e.script + ": " + e.err.Error() + "\n" + e.output }

// token checks a script's result holds an access token and returns it.
func (e *env) token(what string, res map[string]any) string {
	e.t.Helper()
	tok, _ := res["access_token"].(string)
	if tok == "" {
		e.t.Fatalf("%s: no access token: %v", what, res)
	}
	return tok
}

// ourCache is a new cache on the shared file, as a new process opens it.
func (e *env) ourCache() *cache.Cache {
	e.t.Helper()
	if e.persistent == nil {
		return fileCache(e.t, e.cache)
	}
	st, err := persistent.New(e.t.Context(), e.persistent)
	if err != nil {
		e.t.Fatal(err)
	}
	return cache.New(st, nil)
}

func fileCache(t *testing.T, path string) *cache.Cache {
	t.Helper()
	st, err := cache.NewPlaintextFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cache.New(st, nil)
}

// clientOptions are our library's options for the fake on this env.
func (e *env) clientOptions(c *cache.Cache, rec oauth.AuthenticationRecord) oauth.ClientOptions {
	return oauth.ClientOptions{AuthorityHost: e.base, TenantID: fakeauthority.DefaultTenantID,
		HTTPClient: fakeClient(e.fa), Cache: c, AuthenticationRecord: rec}
}

// ourPassword signs in with our ROPC credential on a new cache.
func (e *env) ourPassword() *password.Credential {
	e.t.Helper()
	o := e.clientOptions(e.ourCache(), oauth.AuthenticationRecord{})
	c, err := password.New("", &password.Options{ClientOptions: o, Username: fakeauthority.DefaultUsername, Password: fakeauthority.DefaultPassword})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// ourDeviceCode is our device code credential on a new cache.
func (e *env) ourDeviceCode() *devicecode.Credential {
	e.t.Helper()
	c, err := devicecode.New("", &devicecode.Options{ClientOptions: e.clientOptions(e.ourCache(), oauth.AuthenticationRecord{}),
		UserPrompt: func(context.Context, devicecode.Message) error { return nil }})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// ourSilent is our library in a new process that knows the account from
// rec and must not sign in: GetToken is cache or refresh only.
func (e *env) ourSilent(rec oauth.AuthenticationRecord) *engine.Client {
	e.t.Helper()
	o := e.clientOptions(e.ourCache(), rec)
	o.TenantID = ""
	o.DisableAutomaticAuthentication = true
	c, err := engine.New("", &o)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// get is GetToken for armScope on a silent client; it fails the test on error.
func (e *env) get(c *engine.Client, what string) string {
	e.t.Helper()
	tok, err := c.GetToken(e.t.Context(), oauth.TokenOptions{Scopes: []string{armScope}}, nil)
	if err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
	return tok.Token
}

// recordFor is the AuthenticationRecord of the default user as Python's
// sign-in reported it (MSAL Python has no record; azure-identity does).
func (e *env) recordFor(home string) oauth.AuthenticationRecord {
	return oauth.AuthenticationRecord{Authority: e.base, ClientID: fakeauthority.AzureCLIClientID,
		HomeAccountID: home, TenantID: fakeauthority.DefaultTenantID, Username: fakeauthority.DefaultUsername, Version: "1.0"}
}

// tokenRequests is how many token requests the fake has served since the
// last reset, by grant type.
func (e *env) tokenRequests() (total int, byGrant map[string]int) {
	byGrant = map[string]int{}
	for _, r := range e.fa.RequestsTo(fakeauthority.EndpointToken) {
		byGrant[r.GrantType]++
		total++
	}
	return total, byGrant
}

// wantTokenRequests fails the test unless exactly n token requests were
// made since the last reset.
func (e *env) wantTokenRequests(what string, n int) {
	e.t.Helper()
	if got, by := e.tokenRequests(); got != n {
		e.t.Errorf("%s: %d token requests %v, want %d", what, got, by, n)
	}
}
