package oauth

import (
	"context"
	"errors"
	"sync/atomic"
)

// ChainCredential tries several credentials in order, for "sign in the
// way this machine allows". Build it with [Chain]. It is safe for
// concurrent use.
type ChainCredential struct {
	creds []Credential
	last  atomic.Int64 // index+1 of the credential that last worked; 0: none yet
}

var _ Credential = (*ChainCredential)(nil)

// Chain returns a credential that tries creds in order. It moves on to
// the next only when one returns a [*CredentialUnavailableError] (it
// cannot run here: no session, no browser, no terminal...); any other
// error, such as an authority's refusal ([*Error]: a wrong password, a
// revoked refresh token, MFA required), is returned at once, so the user
// is never sent to a second sign-in to hide the first one's failure. The
// credential that worked is remembered and tried first afterwards; if
// it later becomes unavailable the chain starts over. When every
// credential is unavailable the error is a *CredentialUnavailableError
// (so chains nest) whose Err joins each one's reason. Nil entries are
// skipped.
func Chain(creds ...Credential) *ChainCredential {
	c := &ChainCredential{}
	for _, cr := range creds {
		if cr != nil {
			c.creds = append(c.creds, cr)
		}
	}
	return c
}

// GetToken returns a token from the remembered credential, else from the
// first credential in order that is available.
func (c *ChainCredential) GetToken(ctx context.Context, opts TokenOptions) (AccessToken, error) {
	first := int(c.last.Load()) - 1
	var reasons []error
	if first >= 0 {
		tok, err := c.creds[first].GetToken(ctx, opts)
		if !IsCredentialUnavailable(err) {
			return tok, err
		}
		reasons = append(reasons, err)
	}
	for i, cr := range c.creds {
		if i == first {
			continue
		}
		tok, err := cr.GetToken(ctx, opts)
		if err == nil {
			c.last.Store(int64(i + 1))
			return tok, nil
		}
		if !IsCredentialUnavailable(err) {
			return AccessToken{}, err
		}
		reasons = append(reasons, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(c.creds) == 0 {
		return AccessToken{}, &CredentialUnavailableError{Credential: "chain", Reason: "no credentials to try"}
	}
	return AccessToken{}, &CredentialUnavailableError{Credential: "chain",
		Reason: "no credential could sign in on this machine", Err: errors.Join(reasons...)}
}

// Selected returns the credential that last produced a token, or nil
// before any has.
func (c *ChainCredential) Selected() Credential {
	if i := c.last.Load(); i > 0 {
		return c.creds[i-1]
	}
	return nil
}
