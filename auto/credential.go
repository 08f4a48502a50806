package auto

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/entraauth/entraauth/broker"
	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// Credential signs in silently from whatever holds a session, else with
// the first step that needs a person and can run now (see the package
// documentation). It is safe for concurrent use.
type Credential struct {
	silent   *oauth.ChainCredential // steps that never prompt
	person   *oauth.ChainCredential // steps that need a person, each gated at the call
	plan     []Flow
	client   *engine.Client       // over the flows' shared cache, for Accounts
	broker   *broker.Credential   // the OS broker built here, if in the plan
	closers  []*broker.Credential // every broker credential built here
	selected atomic.Pointer[oauth.Credential]
}

var _ oauth.Credential = (*Credential)(nil)
var _ oauth.Authenticator = (*Credential)(nil)
var _ oauth.AccountManager = (*Credential)(nil)

// New returns a credential for clientID ("" means the Azure CLI public
// client) that tries the flows of [Plan]: silently first, then the steps
// that need a person. It makes no request. With every flow excluded it
// fails with an *oauth.CredentialUnavailableError.
func New(clientID string, opts *Options) (*Credential, error) {
	return thisMachine.build(clientID, opts)
}

func (m machine) build(clientID string, opts *Options) (*Credential, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Cache == nil {
		o.Cache = cache.New(nil, &cache.Options{Logger: o.Logger})
	}
	plan, b, err := m.plan(clientID, &o)
	if err != nil {
		return nil, err
	}
	cred, err := m.assemble(&o, clientID, plan, b)
	if err != nil && b != nil {
		b.Close()
	}
	return cred, err
}

// assemble builds the silent and the person steps of plan (b is the OS
// broker's credential when built here).
func (m machine) assemble(o *Options, clientID string, plan []Flow, b *broker.Credential) (*Credential, error) {
	if len(plan) == 0 {
		return nil, &oauth.CredentialUnavailableError{Credential: "auto",
			Reason: "no way to sign in here: every flow is excluded"}
	}
	cred := &Credential{plan: plan, broker: b}
	if b != nil {
		cred.closers = append(cred.closers, b)
	}
	var silent, person []oauth.Credential
	cacheStep := false
	for _, f := range plan {
		c, err := m.flow(o, f, clientID, b, false)
		if err != nil {
			cred.Close()
			return nil, fmt.Errorf("auto: %s: %w", f, err)
		}
		if f == AzureCLI {
			silent = append(silent, c)
			continue
		}
		// One silent step per kind of session: the broker's, and the
		// shared cache's (the browser and device code flows share it).
		if f == Broker && b != nil || (f == Browser || f == DeviceCode) && !cacheStep {
			s, err := m.flow(o, f, clientID, b, true)
			if err != nil {
				cred.Close()
				return nil, fmt.Errorf("auto: %s: %w", f, err)
			}
			if sb, ok := s.(*broker.Credential); ok {
				cred.closers = append(cred.closers, sb)
			}
			silent = append(silent, quiet{s})
			cacheStep = cacheStep || f != Broker
		}
		person = append(person, gated{c, m.canRun(o, f)})
	}
	client, err := engine.New(clientID, &o.ClientOptions)
	if err != nil {
		cred.Close()
		return nil, fmt.Errorf("auto: %w", err)
	}
	cred.client, cred.silent, cred.person = client, oauth.Chain(silent...), oauth.Chain(person...)
	return cred, nil
}

// flow builds one flow's credential; silent builds it with automatic
// authentication off (for a step that must not prompt).
func (m machine) flow(o *Options, f Flow, clientID string, b *broker.Credential, silent bool) (oauth.Credential, error) {
	if !silent || f == AzureCLI {
		if f == Broker && b != nil {
			return b, nil
		}
		return o.credential(f, clientID)
	}
	q := *o
	q.DisableAutomaticAuthentication = true
	if f == Broker {
		return m.newBroker(clientID, q.brokerOptions())
	}
	return q.credential(f, clientID)
}

// canRun is the check made at each call before a step that needs a
// person: nil means it can always run (a broker passed in as
// Options.Broker; the browser credential itself reports that no browser
// can open).
func (m machine) canRun(o *Options, f Flow) func() error {
	switch {
	case f == Broker && o.Broker == nil && m.canShowWindow != nil:
		return func() error {
			if m.canShowWindow() {
				return nil
			}
			return &oauth.CredentialUnavailableError{Credential: "broker",
				Reason: "no display to show the broker's sign-in window on (DISPLAY and WAYLAND_DISPLAY are unset)"}
		}
	case f == Browser && o.OpenURL == nil:
		return func() error {
			if m.canOpenBrowser() {
				return nil
			}
			return &oauth.CredentialUnavailableError{Credential: "loopback",
				Reason: "no browser can be opened on this machine (set $BROWSER, or use the device code flow)"}
		}
	case f == DeviceCode && o.UserPrompt == nil:
		return func() error {
			if m.hasTerminal() {
				return nil
			}
			return &oauth.CredentialUnavailableError{Credential: "devicecode",
				Reason: "standard error is not a terminal, so nobody would see the device code (set Options.UserPrompt to show it elsewhere)"}
		}
	}
	return nil
}

// quiet is a silent step: a sign-in it cannot do without a person
// (oauth.ErrInteractionRequired) makes it unavailable, so the silent
// chain goes on to the next session holder before anyone is prompted.
type quiet struct{ oauth.Credential }

func (q quiet) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	tok, err := q.Credential.GetToken(ctx, opts)
	if err != nil && !oauth.IsCredentialUnavailable(err) && errors.Is(err, oauth.ErrInteractionRequired) {
		return tok, &oauth.CredentialUnavailableError{Credential: credentialName(q.Credential),
			Reason: "no token without a sign-in", Err: err}
	}
	return tok, err
}

// gated is a step that needs a person, run only when can (asked at each
// call) finds a way to reach one.
type gated struct {
	oauth.Credential
	can func() error // nil: always
}

func (g gated) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	if g.can != nil {
		if err := g.can(); err != nil {
			return oauth.AccessToken{}, err
		}
	}
	return g.Credential.GetToken(ctx, opts)
}

func (g gated) Authenticate(ctx context.Context, opts oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	a, ok := g.Credential.(oauth.Authenticator)
	if !ok {
		return oauth.AuthenticationRecord{}, &oauth.CredentialUnavailableError{Credential: credentialName(g.Credential),
			Reason: "this credential cannot sign a user in explicitly"}
	}
	if g.can != nil {
		if err := g.can(); err != nil {
			return oauth.AuthenticationRecord{}, err
		}
	}
	return a.Authenticate(ctx, opts)
}

// credentialName names a flow's credential in errors.
func credentialName(c oauth.Credential) string {
	n := fmt.Sprintf("%T", c)
	n = strings.TrimPrefix(n, "*")
	n, _, _ = strings.Cut(n, ".")
	return n
}

// GetToken returns a token from the first silent step that holds one
// (the one that worked last first), else from the first step that needs
// a person and can run now. A refusal by the authority stops the search
// and is returned as it is. With nothing silent and nobody to prompt the
// error is an *oauth.CredentialUnavailableError giving each step's
// reason (it matches oauth.ErrInteractionRequired when an account is
// cached but needs a sign-in).
func (c *Credential) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	tok, serr := c.silent.GetToken(ctx, opts)
	if serr == nil {
		c.remember(c.silent)
		return tok, nil
	}
	if !oauth.IsCredentialUnavailable(serr) || ctx.Err() != nil {
		return tok, serr
	}
	tok, perr := c.person.GetToken(ctx, opts)
	if perr == nil {
		c.remember(c.person)
		return tok, nil
	}
	if !oauth.IsCredentialUnavailable(perr) {
		return tok, perr
	}
	return tok, &oauth.CredentialUnavailableError{Credential: "auto",
		Reason: "no session serves this request silently, and no way to sign in can run here", Err: errors.Join(serr, perr)}
}

// Authenticate signs a user in explicitly with the first step that needs
// a person and can run now (the broker, the browser, the device code;
// never the Azure CLI session, which signs nobody in), and returns the
// record that lets a later credential use the account silently. Empty
// opts.Scopes means [oauth.DefaultAuthenticateScope].
func (c *Credential) Authenticate(ctx context.Context, opts oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	rec, err := c.person.Authenticate(ctx, opts)
	if err == nil {
		c.remember(c.person)
	}
	return rec, err
}

func (c *Credential) remember(ch *oauth.ChainCredential) {
	s := ch.Selected()
	switch w := s.(type) {
	case quiet:
		s = w.Credential
	case gated:
		s = w.Credential
	}
	c.selected.Store(&s)
}

// Flows returns the plan: the flows this credential may try, in order.
func (c *Credential) Flows() []Flow { return append([]Flow(nil), c.plan...) }

// Selected returns the flow's credential that last produced a token
// (*azurecli.Credential, *loopback.Credential, ...), or nil before any.
// A token served silently from the shared cache names the browser's (or,
// with the browser excluded, the device code's) silent credential.
func (c *Credential) Selected() oauth.Credential {
	if p := c.selected.Load(); p != nil {
		return *p
	}
	return nil
}

// Accounts lists the accounts in the flows' shared cache (those signed
// in through the browser or device code), then those the OS broker holds
// for this application that are not already listed (none where the
// broker is absent). The Azure CLI session's accounts are Azure CLI's:
// list them with azurecli.Credential.Accounts.
func (c *Credential) Accounts(ctx context.Context) ([]oauth.Account, error) {
	accts, err := c.client.Accounts(ctx)
	if err != nil || c.broker == nil {
		return accts, err
	}
	held, err := c.broker.Accounts(ctx)
	if oauth.IsCredentialUnavailable(err) {
		return accts, nil
	}
	if err != nil {
		return nil, err
	}
	for _, b := range held {
		if !slices.ContainsFunc(accts, func(a oauth.Account) bool {
			return strings.EqualFold(a.HomeAccountID, b.HomeAccountID) && strings.EqualFold(a.Environment, b.Environment)
		}) {
			accts = append(accts, b)
		}
	}
	return accts, nil
}

// RemoveAccount deletes an account's tokens from the flows' shared cache
// and signs it out of the OS broker for this application (where there is
// one). It does not sign the user out at the authority, nor out of Azure
// CLI.
func (c *Credential) RemoveAccount(ctx context.Context, a oauth.Account) error {
	if err := c.client.RemoveAccount(ctx, a); err != nil {
		return err
	}
	if c.broker == nil || a.HomeAccountID == "" {
		return nil
	}
	if err := c.broker.RemoveAccount(ctx, a); err != nil && !oauth.IsCredentialUnavailable(err) {
		return err
	}
	return nil
}

// Close releases the connections to the OS broker, if any were opened.
func (c *Credential) Close() error {
	var errs []error
	for _, b := range c.closers {
		errs = append(errs, b.Close())
	}
	return errors.Join(errs...)
}
