// Command entraauth signs in to Microsoft Entra ID as a public client and
// prints access tokens, without MSAL; it is also a protocol debugger
// (--trace, --trace-file, decode, explained AADSTS errors) and a
// credential helper (token --output az|exec-credential).
//
//	entraauth login [--flow NAME] [flags]    sign in; the token cache keeps the result
//	entraauth token [--output json|raw|az|exec-credential] [--decode]
//	                                         print a token, silently (cache or refresh only)
//	entraauth status                         who is signed in, token expiry, where the cache lives
//	entraauth accounts [--output text|json]  list the accounts in the token cache
//	entraauth logout [--username NAME]       remove an account's tokens from the cache
//	entraauth decode [--verify] [TOKEN]      show a JWT's header and claims
//	entraauth ssh-cert [--key PATH]          write an OpenSSH certificate for a key, silently
//	entraauth fake-authority [--addr ADDR] [--cert-file FILE] [--auto-approve D]
//	                                         serve the fake authority on loopback TLS
//	entraauth completion bash|zsh|fish       print a shell completion script
//	entraauth --version                      print the version
//
// Client ID, tenant, authority host and scopes come from flags, else from
// AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST and
// ENTRAAUTH_SCOPES. The token cache lives in the OS secret store (Secret
// Service, DPAPI, keychain); where there is none, in a 0600 file under the
// user cache directory, unless --require-encrypted-cache (or
// ENTRAAUTH_REQUIRE_ENCRYPTED_CACHE=yes) makes the tool refuse; login says
// which, once, before the sign-in. ENTRAAUTH_LOG=debug logs the library's
// events (never a secret) on stderr.
//
// Every session command takes --fake to run against an embedded fake
// authority, whose state (tenant, keys, refresh tokens) lives under the
// user's cache directory, so that `entraauth login --fake` followed by
// `entraauth token --fake` works with no tenant and no network.
//
// Exit status: 0 on success, 1 on failure, 2 for a usage error, 3 when the
// user must act (sign in with `entraauth login`, or sign-in was declined or
// timed out).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	exitAction = 3 // the user must sign in (again)
)

// stdio is what a command reads and writes; tests substitute it.
type stdio struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// userCacheDir is os.UserCacheDir (XDG_CACHE_HOME, else ~/.cache, on Linux).
	userCacheDir func() (string, error)
	// stderrTTY reports whether stderr is a terminal, for the live prompt.
	stderrTTY bool
	// stdinTTY reports whether stdin is a terminal (decode does not wait
	// on one).
	stdinTTY bool
	// termWidth is the terminal's width in columns (0 when unknown).
	termWidth func() int
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, io *stdio, args []string) error
}

var commands = map[string]command{}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], osStdio())
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, io *stdio) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version" || args[0] == "version") {
		fmt.Fprintln(io.stdout, versionLine())
		return exitOK
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(io.stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(io.stderr, "entraauth: unknown command %q\n", args[0])
		usage(io.stderr)
		return exitUsage
	}
	err := cmd.run(ctx, io.synced(), args[1:])
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(io.stderr, "entraauth %s: %s\n", args[0], describeError(err))
	return exitCode(err)
}

// syncWriter serializes writes: the countdown, the engine's background
// requests (traced with --trace), the logger and the command itself may
// write to stderr from different goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// synced returns a copy of io whose stdout and stderr are safe for
// concurrent use.
func (io *stdio) synced() *stdio {
	c := *io
	c.stdout = &syncWriter{w: io.stdout}
	c.stderr = &syncWriter{w: io.stderr}
	return &c
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: entraauth <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-15s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nSign-in flows (login --flow): %s\n", flowNames())
	fmt.Fprintln(w, "\nRun 'entraauth <command> --help' for a command's flags; 'entraauth --version' for the version.")
	fmt.Fprintln(w, "Environment: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST, ENTRAAUTH_SCOPES, ENTRAAUTH_FAKE,")
	fmt.Fprintln(w, "  ENTRAAUTH_REQUIRE_ENCRYPTED_CACHE (booleans: 1/0, true/false, yes/no), ENTRAAUTH_LOG, SSL_CERT_FILE.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 failure, 2 usage error, 3 sign-in needed (run 'entraauth login').")
}

// usageError is a bad command line (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// actionError means the user must act, typically sign in (exit 3).
type actionError struct {
	msg string
	err error
}

func (e *actionError) Error() string {
	if e.err == nil {
		return e.msg
	}
	return e.msg + ": " + e.err.Error()
}

func (e *actionError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ue *usageError
	var ae *actionError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ae):
		return exitAction
	}
	return exitFailed
}

// envOr returns the first non-empty value among the environment variables.
func envOr(io *stdio, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(io.getenv(n)); v != "" {
			return v
		}
	}
	return ""
}
