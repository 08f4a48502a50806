package azurecli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// DefaultTimeout bounds one run of az account get-access-token when
// Options.Timeout is zero (azure-identity waits 10 seconds too).
const DefaultTimeout = 10 * time.Second

const (
	maxStdout = 1 << 20  // az prints about 2 KB
	maxStderr = 64 << 10 // enough for any error az prints
)

// azCommand builds the arguments of az account get-access-token for one
// request. A lone "<resource>/.default" scope is sent as --resource, as
// azure-identity does; anything else as --scope.
func azCommand(scopes []string, tenant string) ([]string, error) {
	if len(scopes) != 1 {
		return nil, fmt.Errorf("azurecli: az account get-access-token takes one scope, not %d", len(scopes))
	}
	s := scopes[0]
	if !safeArg(s) {
		return nil, errors.New("azurecli: the scope has characters that cannot be passed to az")
	}
	args := []string{"account", "get-access-token", "--output", "json"}
	if res, ok := strings.CutSuffix(s, "/.default"); ok && res != "" {
		args = append(args, "--resource="+res)
	} else {
		args = append(args, "--scope="+s)
	}
	if tenant != "" {
		// ValidateTenant refuses a leading "-"; the "--tenant=X" form
		// keeps X a value even if a check upstream ever lets one through.
		if err := oauth.ValidateTenant(tenant); err != nil {
			return nil, err
		}
		args = append(args, "--tenant="+tenant)
	}
	return args, nil
}

// safeArg accepts printable ASCII without spaces, quotes, shell or cmd.exe
// metacharacters, not starting with "-": what a scope is, and nothing az
// (a batch file on Windows) could read as another option or command.
func safeArg(s string) bool {
	if s == "" || len(s) > 1024 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"'`$&|;<>()^%!*?[]{}\\", c) >= 0 {
			return false
		}
	}
	return true
}

// runAz runs az with args, in a directory the OS owns (not the caller's,
// which could hold a planted az), with a deadline, and returns its
// standard output.
func (c *Credential) runAz(ctx context.Context, args []string) ([]byte, error) {
	path := c.opts.AzPath
	if path == "" {
		p, err := exec.LookPath("az")
		if err != nil {
			return nil, &oauth.CredentialUnavailableError{Credential: name,
				Reason: "Azure CLI (az) is not installed or not on PATH; install it and run az login", Err: err}
		}
		path = p
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = safeDir()
	cmd.Env = append(os.Environ(), "AZURE_CORE_NO_COLOR=true", "AZURE_CORE_ONLY_SHOW_ERRORS=true")
	if c.opts.ConfigDir != "" {
		cmd.Env = append(cmd.Env, "AZURE_CONFIG_DIR="+c.opts.ConfigDir)
	}
	cmd.WaitDelay = time.Second
	stdout := &limitedBuffer{max: maxStdout}
	stderr := &limitedBuffer{max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, &oauth.CredentialUnavailableError{Credential: name,
			Reason: "az account get-access-token did not answer within " + c.opts.Timeout.String(), Err: ctx.Err()}
	case err != nil:
		return nil, azError(err, stderr.String())
	case stdout.over:
		return nil, fmt.Errorf("azurecli: az printed over %d bytes", maxStdout)
	}
	return stdout.Bytes(), nil
}

// azError classifies a failed run the way azure-identity's
// AzureCliCredential does: "az login" or "az account set" in the message,
// with no AADSTS error in it, means there is no usable session
// (unavailable); an AADSTS error is the authority's refusal of the
// session (a revoked or expired refresh token, MFA required), which
// stops an [oauth.Chain] as the cache route's refusal does; anything
// else is az's own failure. The message is cleaned of control characters
// and tokens. See
// https://github.com/Azure/azure-sdk-for-python/blob/main/sdk/identity/azure-identity/azure/identity/_credentials/azure_cli.py
func azError(err error, stderr string) error {
	msg := strings.TrimSpace(redactTokens(redact.Text(stderr)))
	if len(msg) > 1000 {
		msg = msg[:1000] + "..."
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return &oauth.CredentialUnavailableError{Credential: name, Reason: "az could not be started", Err: err}
	}
	refused := strings.Contains(stderr, "AADSTS")
	if !refused && (strings.Contains(stderr, "az login") || strings.Contains(stderr, "az account set")) {
		return &oauth.CredentialUnavailableError{Credential: name,
			Reason: "Azure CLI is not signed in for this request; run az login: " + msg}
	}
	if refused {
		return fmt.Errorf("azurecli: Azure CLI's session was refused; run az login: %s", msg)
	}
	if msg == "" {
		msg = "no message"
	}
	return fmt.Errorf("azurecli: az account get-access-token failed (%v): %s", err, msg)
}

var tokenInText = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*|"accessToken":\s*"[^"]*"?`)

// redactTokens removes anything shaped like a JWT or an accessToken field.
func redactTokens(s string) string { return tokenInText.ReplaceAllString(s, "[redacted]") }

// tokenOutput is what az account get-access-token prints: accessToken,
// expiresOn (a naive local time, "2006-01-02 15:04:05.000000") and, from
// Azure CLI 2.54, expires_on (unix seconds).
type tokenOutput struct {
	AccessToken string          `json:"accessToken"`
	ExpiresOn   string          `json:"expiresOn"`
	ExpiresOnTS json.RawMessage `json:"expires_on"`
	TokenType   string          `json:"tokenType"`
}

// parseTokenOutput reads az's JSON. expires_on wins over expiresOn;
// expiresOn is read in loc (az prints local time).
func parseTokenOutput(data []byte, loc *time.Location) (oauth.AccessToken, error) {
	var out tokenOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return oauth.AccessToken{}, errors.New("azurecli: az printed something that is not a token (not a JSON object)")
	}
	if out.AccessToken == "" {
		return oauth.AccessToken{}, errors.New("azurecli: az printed no accessToken")
	}
	exp, err := parseExpiry(out.ExpiresOnTS, out.ExpiresOn, loc)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	typ := out.TokenType
	if typ == "" {
		typ = "Bearer"
	}
	return oauth.AccessToken{Token: out.AccessToken, ExpiresOn: exp, TokenType: typ}, nil
}

// tokenFromAz parses az's output and refuses a token that has already
// expired at now: az may print a stale cached token, and a caller would
// otherwise send it and fail at the resource.
func tokenFromAz(data []byte, loc *time.Location, now time.Time) (oauth.AccessToken, error) {
	tok, err := parseTokenOutput(data, loc)
	if err != nil {
		return tok, err
	}
	if !tok.ExpiresOn.After(now) {
		return oauth.AccessToken{}, fmt.Errorf("azurecli: az printed a token that expired at %s", tok.ExpiresOn.UTC().Format(time.RFC3339))
	}
	return tok, nil
}

func parseExpiry(ts json.RawMessage, local string, loc *time.Location) (time.Time, error) {
	if s := strings.Trim(string(bytes.TrimSpace(ts)), `"`); len(ts) > 0 && s != "null" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n > 1<<40 {
			return time.Time{}, errors.New("azurecli: az printed an expires_on that is not unix seconds")
		}
		return time.Unix(n, 0), nil
	}
	if local == "" {
		return time.Time{}, errors.New("azurecli: az printed no expiry (expires_on or expiresOn)")
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, local, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("azurecli: az printed an expiresOn that is not a date and time")
}

// safeDir is the working directory for az: one the OS owns.
func safeDir() string {
	if runtime.GOOS == "windows" {
		if d := os.Getenv("SYSTEMROOT"); d != "" {
			return d
		}
		return `C:\Windows`
	}
	return "/"
}

// limitedBuffer keeps the first max bytes written and notes the rest.
// It holds its bytes.Buffer in a named field, not embedded: an embedded
// Buffer would promote ReadFrom, and io.Copy (which exec uses for a
// non-*os.File Stdout) prefers ReadFrom over Write, bypassing the cap.
type limitedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room < len(p) {
		b.over = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

// Bytes returns what was kept.
func (b *limitedBuffer) Bytes() []byte { return b.buf.Bytes() }

// String returns what was kept.
func (b *limitedBuffer) String() string { return b.buf.String() }

var _ io.Writer = (*limitedBuffer)(nil)
