package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

func init() {
	commands["token"] = command{"print an access token from the cache (silent: never prompts)", cmdToken}
}

var tokenOutputs = []string{"json", "raw", "az", "exec-credential"}

func cmdToken(ctx context.Context, io *stdio, args []string) error {
	spec := commandSpec{name: "token", outputs: tokenOutputs, silent: true, flags: func(fs *flag.FlagSet, o *options) {
		boolVar(fs, &o.decode, "decode", false, "show the token's header and claims (as entraauth decode does) instead of the token")
	}}
	return withSession(ctx, io, args, spec, func(s *session, o *options) error { return printSilentToken(ctx, io, s, o) })
}

// printSilentToken gets a token for the last login's account from the
// cache (or by refreshing it) and prints it.
func printSilentToken(ctx context.Context, io *stdio, s *session, o *options) error {
	if !s.hasRecord {
		return &actionError{msg: "not signed in: run " + loginHint(o) + " first"}
	}
	// Silent only: the engine (or the broker) returns
	// *oauth.AuthenticationRequiredError instead of ever running a
	// sign-in step.
	tok, err := silentToken(ctx, s, o.scopes)
	if err != nil {
		return silentError(err, o)
	}
	if err := s.saveFake(); err != nil { // a refresh rotates the refresh token
		return err
	}
	if err := checkTokenChars(tok.Token); err != nil {
		return err
	}
	if o.decode {
		d, err := decodeJWT(tok.Token, time.Now())
		if err != nil {
			return fmt.Errorf("the access token is not a JWT (an opaque token, as some resources issue): %w", err)
		}
		return printDecoded(io.stdout, d, "text")
	}
	tenant := s.client.AuthenticationRecord.TenantID
	switch o.output {
	case "az":
		return writeJSON(io.stdout, azToken(tok, tenant, defaultSubscription(io, tenant)))
	case "exec-credential":
		version, err := execCredentialVersion(io.getenv("KUBERNETES_EXEC_INFO"))
		if err != nil {
			return err
		}
		return writeJSON(io.stdout, execCredential(tok, version))
	}
	return printToken(io.stdout, o.output, tok)
}

// silentError is how a silent command (token, ssh-cert) reports a failed
// request: a needed sign-in as the advice to run login.
func silentError(err error, o *options) error {
	err = signInError(err, o)
	var ae *actionError
	if errors.As(err, &ae) && !o.trace {
		// The engine reports a refused refresh as "sign-in needed";
		// the authority's reason is in the exchange.
		ae.msg += " (--trace shows the authority's answer)"
	}
	return err
}

// printToken writes tok as JSON or raw.
func printToken(w io.Writer, format string, tok oauth.AccessToken) error {
	if format == "raw" {
		_, err := fmt.Fprintln(w, tok.Token)
		return err
	}
	return writeJSON(w, map[string]any{
		"accessToken": tok.Token,
		"expiresOn":   tok.ExpiresOn.UTC().Format(time.RFC3339),
		"tokenType":   tokenType(tok),
	})
}

// azToken has the shape of `az account get-access-token`'s output: the
// subscription only when there is one (az omits it, as with --tenant).
func azToken(tok oauth.AccessToken, tenant, subscription string) map[string]any {
	out := map[string]any{
		"accessToken": tok.Token,
		"expiresOn":   tok.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"),
		"expires_on":  tok.ExpiresOn.Unix(),
		"tenant":      tenant,
		"tokenType":   tokenType(tok),
	}
	if subscription != "" {
		out["subscription"] = subscription
	}
	return out
}

func tokenType(tok oauth.AccessToken) string {
	if strings.TrimSpace(tok.TokenType) == "" {
		return "Bearer"
	}
	return clean(tok.TokenType)
}
