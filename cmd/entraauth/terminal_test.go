package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/entraauth/entraauth/oauth"
)

// TestDecodeOnTerminal: decode with no argument and a terminal on stdin
// is a usage error at once (exit 2), not a silent wait for input.
func TestDecodeOnTerminal(t *testing.T) {
	cmd := exec.Command(binary(t), "decode")
	cmd.Env = binEnv(t)
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out bytes.Buffer
	go out.ReadFrom(tty)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
			t.Errorf("decode on a terminal: %v, want exit %d", err, exitUsage)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("decode with no argument waited on the terminal")
	}
}

// hostile is a server string carrying an OSC 52 clipboard write, an OSC 0
// title, a CSI line erasure, a C1 CSI and a right-to-left override.
const hostile = "alice\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b[2K\u009b1A\u202Egnp.exe"

// TestServerStringsCleaned: what login prints about the account and what
// an error of the authority says reach the terminal without control or
// bidi characters.
func TestServerStringsCleaned(t *testing.T) {
	sio, out, _ := testIO(t, nil)
	rec := oauth.AuthenticationRecord{Username: hostile, TenantID: hostile, HomeAccountID: hostile}
	if err := printLogin(sio, "text", rec, oauth.AccessToken{ExpiresOn: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	msg := describeError(&oauth.Error{Endpoint: "token", Code: "invalid_grant", Description: "AADSTS50076: " + hostile,
		AADSTS: []int{50076}, CorrelationID: hostile, Timestamp: hostile})
	for name, s := range map[string]string{"login": out.String(), "error": msg, "claims": memberText("name", hostile)} {
		if strings.ContainsAny(s, "\x1b\x07\u009b\u202E") {
			t.Errorf("%s output keeps control characters: %q", name, s)
		}
		if !strings.Contains(s, "alice") {
			t.Errorf("%s output lost the text: %q", name, s)
		}
	}
	if got := describeError(errors.New("cache: write: secret store unavailable; tokens were not stored; to keep them unencrypted instead, opt in with cache.NewPlaintextFile")); strings.Contains(got, "cache.New") {
		t.Errorf("describeError() = %q names a Go API", got)
	}
	if !strings.Contains(msg, "multi-factor authentication is required") {
		t.Errorf("describeError() = %q, want the meaning of 50076", msg)
	}
}
