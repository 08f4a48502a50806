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

// Authenticator is a credential that can sign a user in explicitly and
// return the [AuthenticationRecord] of the account (every interactive
// flow of this module, the password credential, [ChainCredential]).
type Authenticator interface {
	Authenticate(ctx context.Context, opts TokenOptions) (AuthenticationRecord, error)
}

// Chain returns a credential that tries creds in order, with one rule
// for refusals, the one azure-identity's DefaultAzureCredential follows:
// it moves on to the next credential only when one returns a
// [*CredentialUnavailableError] (it cannot run here: no session, no
// browser, no terminal...). Any other error, above all an authority's
// refusal ([*Error]: a wrong password, a revoked refresh token, MFA
// required), stops the chain and is returned as it is, so the user is
// never sent to a second sign-in to hide the first one's failure; a
// refusal names what to run (for example "az login"). The credential
// that worked is remembered and tried first afterwards; if it later
// becomes unavailable the chain starts over. A chain never starts a
// credential after ctx has ended. When every credential is unavailable
// the error is a *CredentialUnavailableError (so chains nest) whose Err
// joins each one's reason. Nil entries are skipped.
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
	var tok AccessToken
	err := c.try(ctx, func(cr Credential) (bool, error) {
		var err error
		tok, err = cr.GetToken(ctx, opts)
		return true, err
	})
	return tok, err
}

// Authenticate signs a user in with the first credential in order that
// is available and implements [Authenticator] (the remembered one
// first), and remembers it. Credentials that cannot sign in explicitly
// (an Azure CLI session) are skipped. Errors follow [Chain]'s rule.
func (c *ChainCredential) Authenticate(ctx context.Context, opts TokenOptions) (AuthenticationRecord, error) {
	var rec AuthenticationRecord
	err := c.try(ctx, func(cr Credential) (bool, error) {
		a, ok := cr.(Authenticator)
		if !ok {
			return false, nil
		}
		var err error
		rec, err = a.Authenticate(ctx, opts)
		return true, err
	})
	return rec, err
}

// try runs call on the remembered credential, then on each other in
// order, until one succeeds or fails with an error other than
// *CredentialUnavailableError. call reports false for a credential it
// skipped. No credential starts once ctx has ended.
func (c *ChainCredential) try(ctx context.Context, call func(Credential) (bool, error)) error {
	if len(c.creds) == 0 {
		return &CredentialUnavailableError{Credential: "chain", Reason: "no credentials to try"}
	}
	first := int(c.last.Load()) - 1
	var reasons []error
	order := make([]int, 0, len(c.creds))
	if first >= 0 {
		order = append(order, first)
	}
	for i := range c.creds {
		if i != first {
			order = append(order, i)
		}
	}
	for _, i := range order {
		if err := ctx.Err(); err != nil {
			reasons = append(reasons, context.Cause(ctx))
			break
		}
		ran, err := call(c.creds[i])
		if !ran {
			continue
		}
		if err == nil {
			c.last.Store(int64(i + 1))
			return nil
		}
		if !IsCredentialUnavailable(err) {
			return err
		}
		reasons = append(reasons, err)
	}
	return &CredentialUnavailableError{Credential: "chain",
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
