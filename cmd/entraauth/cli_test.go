package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// testIO returns stdio for an in-process run with env as the environment
// and a fresh user cache directory.
func testIO(t testing.TB, env map[string]string) (*stdio, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	return &stdio{
		stdin:        strings.NewReader(""),
		stdout:       &out,
		stderr:       &errb,
		getenv:       func(k string) string { return env[k] },
		userCacheDir: func() (string, error) { return dir, nil },
	}, &out, &errb
}

// captureFakes records the fake authorities the next commands create.
func captureFakes(t *testing.T) *[]*fakeauthority.Authority {
	t.Helper()
	var got []*fakeauthority.Authority
	onFake = func(a *fakeauthority.Authority) { got = append(got, a) }
	t.Cleanup(func() { onFake = nil })
	return &got
}

// TestLoginThenTokenFake is the README's first two commands, in process:
// login --fake signs in unattended and prints the account; token --fake
// then prints the cached token without a single request to the authority.
// How long login takes is BenchmarkLoginFake's business, not this test's.
func TestLoginThenTokenFake(t *testing.T) {
	fakes := captureFakes(t)
	io, out, errb := testIO(t, nil)
	// --flow device: this process's own environment may let a browser open.
	if code := run(t.Context(), []string{"login", "--fake", "--flow", "device", "--output", "json"}, io); code != exitOK {
		t.Fatalf("login --fake = exit %d; stderr:\n%s", code, errb)
	}
	var res loginResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("login output %q: %v", out, err)
	}
	if res.Username != fakeauthority.DefaultUsername || res.TenantID != fakeauthority.DefaultTenantID ||
		res.HomeAccountID != fakeauthority.DefaultUserObjectID+"."+fakeauthority.DefaultTenantID {
		t.Errorf("login = %+v, want %s in tenant %s", res, fakeauthority.DefaultUsername, fakeauthority.DefaultTenantID)
	}
	if left := time.Until(res.ExpiresOn); left < 55*time.Minute || left > 91*time.Minute {
		t.Errorf("token expires in %v, want 60-90 minutes (Entra's range, as the fake answers)", left)
	}
	if n := (*fakes)[0].Count(fakeauthority.EndpointDeviceCode); n != 1 {
		t.Errorf("login made %d device authorization requests, want 1", n)
	}
	// One line says where tokens live; the device prompt names the fake's
	// own page, never the real devicelogin page with a fake code.
	if !strings.Contains(errb.String(), "enter the code") || strings.Count(errb.String(), "Tokens will be kept") != 1 ||
		!strings.Contains(errb.String(), "open http://127.0.0.1:") || strings.Contains(errb.String(), "microsoft.com/devicelogin") {
		t.Errorf("login stderr = %q, want the fake's page, the code and one line on the cache", errb)
	}

	out.Reset()
	errb.Reset()
	if code := run(t.Context(), []string{"token", "--fake", "--output", "raw"}, io); code != exitOK {
		t.Fatalf("token --fake = exit %d; stderr:\n%s", code, errb)
	}
	if len(*fakes) != 2 {
		t.Fatalf("token created %d fake authorities, want 1", len(*fakes)-1)
	}
	if n := len((*fakes)[1].Requests()); n != 0 {
		t.Errorf("token --fake sent %d requests to the authority, want 0: %v", n, (*fakes)[1].Counts())
	}
	tok := strings.TrimSpace(out.String())
	if strings.Count(tok, ".") != 2 {
		t.Errorf("token --fake printed %q, want a JWT access token", tok)
	}

	// Another resource: the refresh token from login's process is redeemed
	// at a fake restored from the saved state (same keys, same tokens).
	out.Reset()
	if code := run(t.Context(), []string{"token", "--fake", "--scope", "https://graph.microsoft.com/.default", "--output", "raw"}, io); code != exitOK {
		t.Fatalf("token --fake for Graph = exit %d; stderr:\n%s", code, errb)
	}
	if n := (*fakes)[2].Count(fakeauthority.EndpointToken); n != 1 || strings.TrimSpace(out.String()) == tok {
		t.Errorf("token for another resource: %d token requests, want 1 refresh and a new token", n)
	}

	// accounts lists the signed-in account; logout removes it, after which
	// token asks for a login again.
	out.Reset()
	if code := run(t.Context(), []string{"accounts", "--fake", "--output", "json"}, io); code != exitOK {
		t.Fatalf("accounts --fake = exit %d; stderr:\n%s", code, errb)
	}
	var accts []accountOut
	if err := json.Unmarshal(out.Bytes(), &accts); err != nil {
		t.Fatalf("accounts output %q: %v", out, err)
	}
	want := accountOut{fakeauthority.DefaultUsername, fakeauthority.DefaultTenantID, res.HomeAccountID, "login.microsoftonline.com", true, false}
	if len(accts) != 1 || accts[0] != want {
		t.Errorf("accounts = %+v, want [%+v]", accts, want)
	}
	if code := run(t.Context(), []string{"logout", "--fake"}, io); code != exitOK {
		t.Fatalf("logout --fake = exit %d; stderr:\n%s", code, errb)
	}
	if code := run(t.Context(), []string{"token", "--fake"}, io); code != exitAction {
		t.Errorf("token after logout = exit %d, want %d", code, exitAction)
	}
	out.Reset()
	if code := run(t.Context(), []string{"accounts", "--fake", "--output", "json"}, io); code != exitOK || strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("accounts after logout = exit %d, %q; want an empty list", code, out)
	}
}

func TestTokenNotSignedIn(t *testing.T) {
	io, out, errb := testIO(t, nil)
	if code := run(t.Context(), []string{"token", "--fake"}, io); code != exitAction {
		t.Errorf("token before login = exit %d, want %d", code, exitAction)
	}
	if out.Len() != 0 || !strings.Contains(errb.String(), "entraauth login --fake") {
		t.Errorf("stdout %q, stderr %q; want nothing on stdout and a hint to log in", out, errb)
	}
}

func TestRequireEncryptedCache(t *testing.T) {
	for _, args := range [][]string{{"token", "--fake", "--require-encrypted-cache"}, {"token", "--fake"}} {
		io, _, errb := testIO(t, map[string]string{envRequireEncrypted: "1"})
		if code := run(t.Context(), args, io); code != exitFailed {
			t.Errorf("%v = exit %d, want %d", args, code, exitFailed)
		}
		if !strings.Contains(errb.String(), "refuses a plain file") {
			t.Errorf("%v: stderr %q, want the refusal", args, errb)
		}
		base, _ := io.userCacheDir()
		if _, err := os.Stat(filepath.Join(base, "entraauth", "fake", plainCacheFile)); err == nil {
			t.Errorf("%v: a plain cache file was created", args)
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		want int
		msg  string
	}{
		{nil, exitUsage, "usage: entraauth"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"login", "--flow", "carrier-pigeon"}, exitUsage, `unknown --flow "carrier-pigeon"`},
		{[]string{"token", "--output", "yaml"}, exitUsage, `unknown --output "yaml"`},
		{[]string{"token", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"login", "--fake-manual"}, exitUsage, "--fake-manual needs --fake"},
		{[]string{"help"}, exitOK, "Exit status"},
	}
	for _, tt := range tests {
		io, _, errb := testIO(t, nil)
		if code := run(context.Background(), tt.args, io); code != tt.want || !strings.Contains(errb.String(), tt.msg) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, errb, tt.want, tt.msg)
		}
	}
}

func TestOptionsPrecedence(t *testing.T) {
	env := map[string]string{envClientID: "env-client", envTenantID: "env-tenant", envAuthorityHost: "https://login.example",
		envScopes: "a b,c", envFake: "true"}
	tests := []struct {
		args []string
		want options
	}{
		{nil, options{clientID: "env-client", tenant: "env-tenant", authorityHost: "https://login.example", scopes: []string{"a", "b", "c"}, fake: true, output: "json"}},
		{[]string{"--client-id", "flag-client", "--tenant", "t", "--scope", "x", "--scope", "y z", "--fake=false", "--output", "raw"},
			options{clientID: "flag-client", tenant: "t", authorityHost: "https://login.example", scopes: []string{"x", "y", "z"}, output: "raw"}},
	}
	for _, tt := range tests {
		io, _, _ := testIO(t, env)
		var o options
		fs := newFlagSet("token", &o, io.stderr, tokenOutputs)
		if err := o.parse(fs, tt.args, io, tokenOutputs); err != nil {
			t.Fatalf("parse(%q) error %v", tt.args, err)
		}
		if o.clientID != tt.want.clientID || o.tenant != tt.want.tenant || o.authorityHost != tt.want.authorityHost ||
			strings.Join(o.scopes, " ") != strings.Join(tt.want.scopes, " ") || o.fake != tt.want.fake || o.output != tt.want.output {
			t.Errorf("parse(%q) = %+v, want %+v", tt.args, o, tt.want)
		}
	}
	io, _, _ := testIO(t, nil)
	var o options
	if err := o.parse(newFlagSet("token", &o, io.stderr, nil), nil, io, nil); err != nil || strings.Join(o.scopes, " ") != defaultScope {
		t.Errorf("default scopes = %q, %v; want %q", o.scopes, err, defaultScope)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// lossyStorage accepts writes and forgets them, as a store whose writes
// fail after the engine has logged the failure would look afterwards.
type lossyStorage struct{}

func (lossyStorage) Lock(context.Context) (func() error, error) {
	return func() error { return nil }, nil
}
func (lossyStorage) Read(context.Context) ([]byte, error) { return nil, nil }
func (lossyStorage) Write(context.Context, []byte) error  { return nil }

func TestVerifySaved(t *testing.T) {
	s := &session{storage: lossyStorage{}}
	err := s.verifySaved(t.Context(), oauth.AuthenticationRecord{HomeAccountID: "uid.utid"})
	if err == nil || !strings.Contains(err.Error(), "not saved") {
		t.Errorf("verifySaved() over a storage that loses writes = %v, want 'not saved'", err)
	}
}

// TestWithSession: the shared part of login, token, accounts and logout
// parses the command's own flags, stops at -h or a bad command line before
// opening anything, opens a silent session only when asked (the last
// login's account), and reads the cache first only when asked.
func TestWithSession(t *testing.T) {
	sio, _, errb := testIO(t, nil)
	if code := run(t.Context(), []string{"login", "--fake", "--flow", "device"}, sio); code != exitOK {
		t.Fatalf("login --fake = exit %d; stderr:\n%s", code, errb)
	}
	tests := []struct {
		name     string
		args     []string
		spec     commandSpec
		wantErr  string // "" = body runs
		record   bool   // body sees the last login's account
		accounts int    // accounts body sees in the cache
	}{
		{name: "silent, synced", args: []string{"--fake", "--extra", "x"}, spec: commandSpec{silent: true, sync: true}, record: true, accounts: 1},
		{name: "silent, not synced", args: []string{"--fake"}, spec: commandSpec{silent: true}, record: true},
		{name: "not silent, synced", args: []string{"--fake"}, spec: commandSpec{sync: true}, accounts: 1},
		{name: "help", args: []string{"-h"}, spec: commandSpec{silent: true, sync: true}, wantErr: "help"},
		{name: "unknown flag", args: []string{"--fake", "--nope"}, spec: commandSpec{silent: true}, wantErr: "flag provided but not defined: -nope"},
		{name: "bad output", args: []string{"--fake", "--output", "yaml"}, spec: commandSpec{outputs: []string{"text"}}, wantErr: `unknown --output "yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var extra string
			tt.spec.name = "test"
			tt.spec.flags = func(fs *flag.FlagSet, _ *options) { fs.StringVar(&extra, "extra", "", "a command's own flag") }
			ran := false
			err := withSession(t.Context(), sio, tt.args, tt.spec, func(s *session, o *options) error {
				ran = true
				if s.hasRecord != tt.record || !o.fake {
					t.Errorf("session has record %v, fake %v; want %v, true", s.hasRecord, o.fake, tt.record)
				}
				if n := len(s.client.Cache.Accounts("", "")); n != tt.accounts {
					t.Errorf("body sees %d accounts, want %d", n, tt.accounts)
				}
				return errors.New("from body")
			})
			switch {
			case tt.wantErr == "help":
				if err != nil || ran {
					t.Errorf("-h: error %v, body ran %v; want neither", err, ran)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || ran {
					t.Errorf("error %v, body ran %v; want %q before the body", err, ran, tt.wantErr)
				}
			case !ran || err == nil || err.Error() != "from body":
				t.Errorf("body ran %v, error %v; want the body's error", ran, err)
			}
			if strings.Contains(strings.Join(tt.args, " "), "--extra") && extra != "x" {
				t.Errorf("--extra = %q, want x", extra)
			}
		})
	}
}

// TestCommandHelp: --help on each command prints its flags with two
// dashes, including its own, and exits 0 without signing in or reading
// anything.
func TestCommandHelp(t *testing.T) {
	for name, own := range map[string]string{"login": "--flow", "token": "--decode", "accounts": "--output", "logout": "--username",
		"status": "--output", "decode": "--verify", "fake-authority": "--addr"} {
		sio, out, errb := testIO(t, nil)
		shared := "--client-id"
		if name == "decode" || name == "fake-authority" {
			shared = "--" + strings.TrimPrefix(own, "--")
		}
		if code := run(t.Context(), []string{name, "--help"}, sio); code != exitOK || out.Len() != 0 ||
			!strings.Contains(errb.String(), "\n  "+shared) || !strings.Contains(errb.String(), "\n  "+own) ||
			regexp.MustCompile(`\n  -[a-z]`).MatchString(errb.String()) {
			t.Errorf("%s --help = exit %d, stdout %q, stderr %q; want 0 and the flags with two dashes, %s among them", name, code, out, errb, own)
		}
	}
}

// TestBooleans: environment booleans and boolean flags take Go's
// strconv.ParseBool values plus yes/no and on/off, in any case.
func TestBooleans(t *testing.T) {
	for in, want := range map[string]bool{"1": true, "true": true, "TRUE": true, "yes": true, "Yes": true, "on": true, "y": true,
		"0": false, "false": false, "no": false, "NO": false, "off": false, "n": false} {
		if got, err := parseBool(in); err != nil || got != want {
			t.Errorf("parseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
		sio, _, _ := testIO(t, map[string]string{envFake: in})
		var o options
		if err := o.parse(newFlagSet("token", &o, sio.stderr, nil), nil, sio, nil); err != nil || o.fake != want {
			t.Errorf("%s=%s: fake %v, %v; want %v", envFake, in, o.fake, err, want)
		}
		o = options{}
		if err := o.parse(newFlagSet("token", &o, sio.stderr, nil), []string{"--trace=" + in}, sio, nil); err != nil || o.trace != want {
			t.Errorf("--trace=%s: %v, %v; want %v", in, o.trace, err, want)
		}
	}
	for _, bad := range []string{"maybe", "2", "yess"} {
		if _, err := parseBool(bad); err == nil {
			t.Errorf("parseBool(%q) accepted", bad)
		}
	}
}
