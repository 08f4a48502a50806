package broker

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// errNoAccount: a silent call had no account to sign in as.
var errNoAccount = errors.New("broker: no broker account to sign in silently")

// step is the engine's sign-in step: the engine calls it when no access
// token in memory serves the request. It asks the broker silently first
// (for the known account, or the OS default account with
// UseDefaultAccount), then through the broker's sign-in window. signIn is
// true for Authenticate, which goes to the window unless UseDefaultAccount
// signs the default account in silently.
func (c *Credential) step(ctx context.Context, req *engine.InteractiveRequest, signIn bool) (*engine.TokenResult, error) {
	r := c.newRequest(req)
	var acct *brokerAccount
	found := -1 // accounts the broker listed that this credential may serve; -1: not listed
	if !signIn {
		acct, found = c.knownAccount(ctx)
	}
	if acct != nil || c.opts.UseDefaultAccount {
		r.account = acct
		rep, err := c.be.silent(ctx, r)
		if err == nil {
			return c.accept(rep, acct)
		}
		if !needsInteraction(err) {
			return nil, err
		}
		c.client.Logger().LogAttrs(ctx, slog.LevelInfo, "broker: silent sign-in needs interaction", slog.String("error", err.Error()))
	}
	if !signIn && c.opts.DisableAutomaticAuthentication {
		opts := oauth.TokenOptions{Scopes: r.scopes, Claims: r.claims, TenantID: req.TenantID}
		if acct == nil && found >= 0 && found != 1 {
			// The engine's rule for a cache: none, or several and nothing
			// to choose, is a NoAccountError naming the credential and the
			// count, and unavailable (a chain moves on).
			return nil, &oauth.CredentialUnavailableError{Credential: "broker",
				Reason: "no account to sign in silently and automatic authentication is disabled",
				Err:    &oauth.NoAccountError{Credential: "broker", Found: found, TokenOptions: opts}}
		}
		return nil, &oauth.AuthenticationRequiredError{TokenOptions: opts}
	}
	r.account = acct
	if r.loginHint == "" && acct != nil {
		r.loginHint = acct.Username
	}
	ictx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	rep, err := c.be.interactive(ictx, r)
	if err != nil {
		return nil, err
	}
	return c.accept(rep, nil)
}

// needsInteraction reports whether a silent failure is one a sign-in
// window can fix (no account, interaction required), as opposed to a
// broker that is absent, broken or refusing for good.
func needsInteraction(err error) bool {
	return errors.Is(err, errNoAccount) || errors.Is(err, oauth.ErrInteractionRequired)
}

func (c *Credential) newRequest(req *engine.InteractiveRequest) *request {
	authority := c.client.Authority()
	if req.TenantID != "" {
		if a, err := authority.WithTenant(req.TenantID); err == nil {
			authority = a
		}
	}
	hint := c.opts.LoginHint
	if hint == "" {
		hint = req.LoginHint
	}
	return &request{
		clientID:       c.clientID,
		authority:      authority.String(),
		redirectURI:    c.opts.RedirectURI,
		scopes:         req.Scopes,
		claims:         req.Claims,
		loginHint:      hint,
		parentWindow:   c.opts.ParentWindow,
		msaPassthrough: c.opts.MSAPassthrough,
		correlationID:  newCorrelationID(),
	}
}

// accept checks a broker answer and hands it to the engine, which
// verifies its ID token (signature, issuer, audience, lifetime) against
// the authority's keys before anything is cached. want is the account a
// silent call was made for: an answer for another account is refused.
func (c *Credential) accept(rep *reply, want *brokerAccount) (*engine.TokenResult, error) {
	res := rep.result
	if res == nil || res.AccessToken == "" {
		return nil, invalid("the broker answered without an access token")
	}
	res.RefreshToken = "" // never ours: the broker keeps it
	res.FamilyID = ""
	if want != nil && res.ClientInfo != "" {
		ci, err := engine.ParseClientInfo(res.ClientInfo)
		if err != nil {
			return nil, invalid("unreadable clientInfo")
		}
		if !strings.EqualFold(ci.HomeAccountID(), want.HomeAccountID) {
			return nil, invalid("the broker answered for another account than the one asked for")
		}
	}
	if res.IDToken == "" && res.ClientInfo == "" && want != nil {
		// No identity in the answer: it is for the account asked for,
		// which an earlier verified sign-in identified.
		res.Account = want.Account
	}
	if rep.account != nil && c.bound != "" && !strings.EqualFold(rep.account.Username, c.bound) {
		// Another user than the login hint's: the engine refuses the
		// answer by its ID token (engine.Client.BindUser); it is not
		// remembered for silent calls either.
		rep.account = nil
	}
	if rep.account != nil {
		c.mu.Lock()
		c.last = rep.account
		c.mu.Unlock()
	}
	return res, nil
}

// knownAccount is the broker account to ask for silently: the last one
// the broker answered for, else the one account the broker lists for
// this application that the credential may serve (the
// AuthenticationRecord's, else the login hint's, else any), as the
// engine chooses from a cache: none, or several with nothing to choose
// between them, is nil (a new process then signs in silently only when
// the choice is clear). It also returns the number of distinct accounts
// that qualified, or -1 when the broker was not asked or did not answer.
func (c *Credential) knownAccount(ctx context.Context) (*brokerAccount, int) {
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	if last != nil {
		return last, -1
	}
	accts, err := c.be.accounts(ctx, c.clientID, c.opts.RedirectURI)
	if err != nil {
		return nil, -1
	}
	home, hint := c.opts.AuthenticationRecord.HomeAccountID, c.opts.LoginHint
	var pick *brokerAccount
	n := 0
	for i := range accts {
		a := &accts[i]
		switch {
		case home != "" && !strings.EqualFold(a.HomeAccountID, home):
			continue
		case home == "" && hint != "" && !strings.EqualFold(a.Username, hint):
			continue
		}
		if pick == nil || !strings.EqualFold(pick.HomeAccountID, a.HomeAccountID) {
			n++
		}
		pick = a
	}
	if n != 1 {
		return nil, n
	}
	return pick, 1
}

func invalid(what string) *oauth.Error {
	return &oauth.Error{Endpoint: "broker", Code: "invalid_response", Description: what}
}
