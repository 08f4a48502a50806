package broker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// Default deadlines. Every broker call is bounded by the caller's context
// and by one of these, whichever ends first, so a broker that never
// answers cannot hold a caller that passed context.Background().
const (
	// DefaultTimeout bounds an interactive sign-in (the user is in the
	// broker's window), as azure-identity's broker credential does.
	DefaultTimeout = 5 * time.Minute
)

// Redirect URIs the OS brokers require. The application's registration
// must list the one for each OS it brokers on.
const (
	// RedirectURIWindows is WAM's; {client_id} stands for the client ID.
	RedirectURIWindows = "ms-appx-web://Microsoft.AAD.BrokerPlugin/{client_id}"
	// RedirectURILinux is the Linux identity broker's.
	RedirectURILinux = "https://login.microsoftonline.com/common/oauth2/nativeclient"
	// RedirectURIMac is the Enterprise SSO extension's for an unsigned app.
	RedirectURIMac = "msauth.com.msauth.unsignedapp://auth"
)

// Options configure a [Credential]. A nil *Options means the defaults.
type Options struct {
	// ClientOptions are the authority, tenant, HTTP client (used to fetch
	// the authority's keys that verify the broker's ID tokens), record,
	// logger... as for every flow. Cache must be nil (New refuses one):
	// the broker keeps the refresh tokens, and this credential keeps
	// access tokens in memory only. DisableAutomaticAuthentication makes
	// GetToken fail with *oauth.AuthenticationRequiredError where the
	// broker cannot sign the user in silently; when the broker lists no
	// account or several with nothing to choose between them, it comes
	// as an *oauth.NoAccountError (naming "broker" and the count) inside
	// an *oauth.CredentialUnavailableError, as for a cache.
	oauth.ClientOptions

	// ParentWindow is the window handle (HWND on Windows) the broker's
	// sign-in window is parented to. 0 means the console's root owner
	// window (Windows). Ignored on Linux, where the broker owns its UI.
	ParentWindow uintptr

	// UseDefaultAccount signs in silently as the account the OS session
	// is signed in with, falling back to the broker's account picker.
	UseDefaultAccount bool

	// MSAPassthrough asks WAM's account provider with the authority
	// "consumers" where the credential's tenant is tenant-independent, so
	// a personal Microsoft account can sign in (WAM only; MSAL.NET's
	// transfer-token pass-through is not implemented). Ignored on Linux,
	// whose broker signs in work and school accounts only.
	MSAPassthrough bool

	// LoginHint pre-selects the account to sign in and binds the
	// credential to that user: a sign-in as another user, or a broker
	// account of another user, is refused (errors matching
	// oauth.ErrAccountMismatch). "" means the username of the
	// AuthenticationRecord, if any.
	LoginHint string

	// RedirectURI is the broker redirect URI registered for the
	// application. "" means the one for this OS: [RedirectURIWindows]
	// (with the client ID), [RedirectURILinux] or [RedirectURIMac].
	RedirectURI string

	// Timeout bounds an interactive sign-in; 0 means [DefaultTimeout].
	Timeout time.Duration

	// DBusAddress is the D-Bus session bus to find the Linux broker on;
	// "" means DBUS_SESSION_BUS_ADDRESS (the user's session bus). Tests
	// and the fake broker use a private bus. Ignored elsewhere.
	DBusAddress string
}

// Credential signs a user in through the operating system's
// authentication broker: WAM on Windows, the Microsoft identity broker on
// Linux. The broker owns the sign-in UI and keeps the refresh tokens (and
// the device's primary refresh token); this credential never sees or
// stores a refresh token, and keeps access tokens in memory only. ID
// tokens the broker returns are verified against the authority's keys
// like any other flow's. A Credential is safe for concurrent use.
type Credential struct {
	client   *engine.Client
	opts     Options
	clientID string
	be       backend

	interactiveFn, silentFirstFn engine.Interactive

	// bound is the login hint the credential is bound to ("" for none).
	bound string

	mu   sync.Mutex
	last *brokerAccount // the account of the last broker answer
}

var (
	_ oauth.Credential     = (*Credential)(nil)
	_ oauth.Authenticator  = (*Credential)(nil)
	_ oauth.AccountManager = (*Credential)(nil)
)

// New returns a broker credential for clientID ("" means the Azure CLI
// public client). It makes no broker call and no request; on a machine
// with no broker it returns an error matching [ErrUnsupported] (use
// errors.Is), so a caller can fall back to another flow.
func New(clientID string, opts *Options) (*Credential, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("broker: negative Timeout %v", o.Timeout)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Cache != nil {
		return nil, errors.New("broker: Options.Cache cannot be honoured: the broker keeps the account's tokens, and this credential keeps access tokens in memory only")
	}
	co := o.ClientOptions
	co.DisableAutomaticAuthentication = false // the step applies it after trying the broker silently
	client, err := engine.New(clientID, &co)
	if err != nil {
		return nil, err
	}
	clientID = client.ClientID()
	bound := o.LoginHint
	if bound != "" {
		// As the browser credential binds its hint: a sign-in as another
		// user is refused (an AuthenticationRecord binds by home account
		// instead, and takes precedence).
		client.BindUser(bound)
	}
	client.SetName("broker")
	if o.RedirectURI == "" {
		o.RedirectURI = defaultRedirectURI(clientID)
	}
	if o.LoginHint == "" {
		o.LoginHint = o.AuthenticationRecord.Username
	}
	be, err := newBackend(&o)
	if err != nil {
		return nil, err
	}
	c := &Credential{client: client, opts: o, clientID: clientID, be: be, bound: bound}
	c.interactiveFn = func(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
		return c.step(ctx, req, true)
	}
	c.silentFirstFn = func(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
		return c.step(ctx, req, false)
	}
	return c, nil
}

// GetToken returns an access token for opts: from memory when one is
// valid, else from the broker silently, else (unless
// DisableAutomaticAuthentication) through the broker's sign-in window.
func (c *Credential) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	return c.client.GetToken(ctx, opts, c.silentFirstFn)
}

// Authenticate signs a user in through the broker (silently first with
// UseDefaultAccount) and returns the record that identifies the account.
// Empty opts.Scopes means [oauth.DefaultAuthenticateScope].
func (c *Credential) Authenticate(ctx context.Context, opts oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	return c.client.Authenticate(ctx, opts, c.interactiveFn)
}

// Accounts lists the accounts the broker holds for this application.
func (c *Credential) Accounts(ctx context.Context) ([]oauth.Account, error) {
	accts, err := c.be.accounts(ctx, c.clientID, c.opts.RedirectURI)
	if err != nil {
		return nil, err
	}
	out := make([]oauth.Account, 0, len(accts))
	for _, a := range accts {
		out = append(out, a.Account)
	}
	return out, nil
}

// RemoveAccount signs the account out of the broker for this application
// and forgets its access tokens. An account the broker does not know is
// not an error.
func (c *Credential) RemoveAccount(ctx context.Context, a oauth.Account) error {
	if a.HomeAccountID == "" {
		return errors.New("broker: RemoveAccount needs the account's HomeAccountID")
	}
	accts, err := c.be.accounts(ctx, c.clientID, c.opts.RedirectURI)
	if err != nil {
		return err
	}
	for i := range accts {
		if strings.EqualFold(accts[i].HomeAccountID, a.HomeAccountID) {
			if err := c.be.remove(ctx, c.clientID, &accts[i]); err != nil {
				return err
			}
		}
	}
	c.mu.Lock()
	if c.last != nil && strings.EqualFold(c.last.HomeAccountID, a.HomeAccountID) {
		c.last = nil
	}
	c.mu.Unlock()
	return c.client.RemoveAccount(ctx, a)
}

// Close releases the connection to the broker.
func (c *Credential) Close() error { return c.be.close() }

// versioner is a backend that can say its broker's version.
type versioner interface {
	version(ctx context.Context) (string, error)
}

// BrokerVersion asks the broker for its version (the Linux broker's
// getLinuxBrokerVersion), which also tells whether a broker answers at
// all: no broker is an error matching [ErrUnsupported]. Brokers without
// such a call return "" and no error.
func (c *Credential) BrokerVersion(ctx context.Context) (string, error) {
	v, ok := c.be.(versioner)
	if !ok {
		return "", nil
	}
	return v.version(ctx)
}
