package oauth

import (
	"context"

	"golang.org/x/oauth2"
)

// TokenSource adapts a Credential to x/oauth2: each Token call is a
// GetToken for scopes (cheap when the token is cached), so an
// oauth2.Transport or oauth2.NewClient sends fresh bearer tokens. ctx
// bounds every GetToken the source makes; it must outlive the source.
func TokenSource(ctx context.Context, c Credential, scopes ...string) oauth2.TokenSource {
	return &tokenSource{ctx: ctx, cred: c, opts: TokenOptions{Scopes: append([]string(nil), scopes...)}}
}

type tokenSource struct {
	ctx  context.Context
	cred Credential
	opts TokenOptions
}

// Token implements oauth2.TokenSource.
func (s *tokenSource) Token() (*oauth2.Token, error) {
	at, err := s.cred.GetToken(s.ctx, s.opts)
	if err != nil {
		return nil, err
	}
	typ := at.TokenType
	if typ == "" {
		typ = "Bearer"
	}
	return &oauth2.Token{AccessToken: at.Token, TokenType: typ, Expiry: at.ExpiresOn}, nil
}
