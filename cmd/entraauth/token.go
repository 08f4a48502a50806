package main

import (
	"context"
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
	spec := commandSpec{name: "token", outputs: tokenOutputs, silent: true}
	return withSession(ctx, io, args, spec, func(s *session, o *options) error { return printSilentToken(ctx, io, s, o) })
}

// printSilentToken gets a token for the last login's account from the
// cache (or by refreshing it) and prints it.
func printSilentToken(ctx context.Context, io *stdio, s *session, o *options) error {
	if !s.hasRecord {
		return &actionError{msg: "not signed in: run " + loginHint(o) + " first"}
	}
	// Silent only: the engine returns *oauth.AuthenticationRequiredError
	// instead of ever running a sign-in step.
	s.client.DisableAutomaticAuthentication = true
	c, err := oauth.NewClient(s.clientID, &s.client)
	if err != nil {
		return err
	}
	tok, err := c.GetToken(ctx, oauth.TokenOptions{Scopes: o.scopes}, nil)
	if err != nil {
		return signInError(err, o)
	}
	if err := s.saveFake(); err != nil { // a refresh rotates the refresh token
		return err
	}
	return printToken(io.stdout, o.output, tok, s.client.AuthenticationRecord.TenantID)
}

// printToken writes tok in one of tokenOutputs.
func printToken(w io.Writer, format string, tok oauth.AccessToken, tenant string) error {
	switch format {
	case "raw":
		_, err := fmt.Fprintln(w, tok.Token)
		return err
	case "az": // the shape of `az account get-access-token`
		return writeJSON(w, map[string]any{
			"accessToken": tok.Token,
			"expiresOn":   tok.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"),
			"expires_on":  tok.ExpiresOn.Unix(),
			"tenant":      tenant,
			"tokenType":   tokenType(tok),
		})
	case "exec-credential": // a Kubernetes client-go credential plugin answer
		return writeJSON(w, map[string]any{
			"kind":       "ExecCredential",
			"apiVersion": "client.authentication.k8s.io/v1beta1",
			"spec":       map[string]any{},
			"status": map[string]any{
				"token":               tok.Token,
				"expirationTimestamp": tok.ExpiresOn.UTC().Format(time.RFC3339),
			},
		})
	}
	return writeJSON(w, map[string]any{
		"accessToken": tok.Token,
		"expiresOn":   tok.ExpiresOn.UTC().Format(time.RFC3339),
		"tokenType":   tokenType(tok),
	})
}

func tokenType(tok oauth.AccessToken) string {
	if strings.TrimSpace(tok.TokenType) == "" {
		return "Bearer"
	}
	return tok.TokenType
}
