package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

func init() {
	commands["login"] = command{"sign in (device code by default when no browser can open)", cmdLogin}
}

func cmdLogin(ctx context.Context, io *stdio, args []string) error {
	spec := commandSpec{name: "login", outputs: []string{"text", "json"}, flags: func(fs *flag.FlagSet, o *options) {
		fs.StringVar(&o.flow, "flow", "", "sign-in flow: "+flowNames()+" (default: browser when one can open, else device)")
		boolVar(fs, &o.fakeManual, "fake-manual", false, "with --fake: do not approve the code automatically; open the printed URL and type the code on the fake's page")
	}}
	return withSession(ctx, io, args, spec, func(s *session, o *options) error { return login(ctx, io, s, o) })
}

// login signs in through package auto (the flow --flow names, or auto's
// choice) and saves what token needs.
func login(ctx context.Context, io *stdio, s *session, o *options) error {
	cred, err := newLoginCredential(s, o.flow)
	if err != nil {
		return err
	}
	defer cred.Close()
	if o.flow == "broker" {
		fmt.Fprintln(io.stderr, "Tokens will be kept by the OS authentication broker.")
	} else {
		fmt.Fprintln(io.stderr, s.store.line())
	}
	topts := oauth.TokenOptions{Scopes: o.scopes}
	rec, err := cred.Authenticate(ctx, topts)
	s.done() // erase the prompt before anything else is printed
	if err != nil {
		return signInError(err, o)
	}
	// The flow that signed in holds the account and its token: no request.
	used := cred.Selected()
	tok, err := used.GetToken(ctx, topts)
	if err != nil {
		return fmt.Errorf("signed in, but reading the token back failed: %w", err)
	}
	name := flowName(used)
	if name != "broker" { // the broker keeps its tokens
		if err := s.verifySaved(ctx, rec); err != nil {
			return err
		}
	}
	if err := s.saveLogin(rec, name); err != nil {
		return err
	}
	if err := s.saveFake(); err != nil {
		return err
	}
	return printLogin(io, o.output, rec, tok)
}

// signInError turns what the user can fix into exit status 3.
func signInError(err error, o *options) error {
	var arErr *oauth.AuthenticationRequiredError
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("sign-in cancelled")
	case errors.Is(err, oauth.ErrDeclined):
		return &actionError{msg: "sign-in was declined", err: err}
	case errors.Is(err, oauth.ErrExpired):
		return &actionError{msg: "the code expired before sign-in completed; run " + loginHint(o) + " again", err: err}
	case errors.Is(err, oauth.ErrInteractionRequired), errors.As(err, &arErr):
		return &actionError{msg: "sign-in needed: run " + loginHint(o), err: err}
	}
	return err
}

// loginHint is the command that signs in with the same authority.
func loginHint(o *options) string {
	if o.fake {
		return "`entraauth login --fake`"
	}
	return "`entraauth login`"
}

// loginResult is login's JSON output.
type loginResult struct {
	Username      string    `json:"username"`
	TenantID      string    `json:"tenantId"`
	HomeAccountID string    `json:"homeAccountId"`
	ClientID      string    `json:"clientId"`
	Authority     string    `json:"authority"`
	ExpiresOn     time.Time `json:"expiresOn"`
}

func printLogin(io *stdio, format string, rec oauth.AuthenticationRecord, tok oauth.AccessToken) error {
	if format == "json" {
		return writeJSON(io.stdout, loginResult{rec.Username, rec.TenantID, rec.HomeAccountID, rec.ClientID, rec.Authority, tok.ExpiresOn.UTC()})
	}
	left := time.Until(tok.ExpiresOn).Round(time.Second)
	_, err := fmt.Fprintf(io.stdout, "Signed in as %s\n  Tenant:          %s\n  Home account ID: %s\n  Token expires:   %s (in %s)\n",
		clean(rec.Username), clean(rec.TenantID), clean(rec.HomeAccountID), tok.ExpiresOn.Local().Format("2006-01-02 15:04:05 MST"), left)
	return err
}
