package azurecli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// errCacheDisabled: Options.DisableTokenCache is set.
var errCacheDisabled = errors.New("the token cache is disabled")

// name is the Credential field of this package's CredentialUnavailableError.
const name = "azurecli"

// Options configure a [Credential]. A nil *Options means the defaults.
type Options struct {
	// ClientOptions are the options every credential shares. TenantID is
	// the tenant to get tokens from ("" means the tenant of Azure CLI's
	// default subscription, as az account show); AuthenticationRecord
	// binds the credential to its user, as Username does; AuthorityHost,
	// when set, is the only cloud served: a session az holds in another
	// cloud (az cloud set) counts as none (env AZURE_AUTHORITY_HOST does
	// not apply: az's cloud is az's own setting). Cache must be nil: Azure
	// CLI's own token cache holds this credential's tokens, and New
	// refuses a cache it could not honour. The credential never prompts,
	// so DisableAutomaticAuthentication changes nothing.
	oauth.ClientOptions

	// ConfigDir is Azure CLI's configuration directory. "" means
	// $AZURE_CONFIG_DIR, else ~/.azure, as az itself.
	ConfigDir string
	// Username picks a signed-in account other than the default
	// subscription's user, and binds the credential to it: another
	// user's session is never served.
	Username string

	// DisableTokenCache never reads or writes Azure CLI's files: every
	// token comes from "az account get-access-token", as azure-identity's
	// AzureCliCredential gets them (about a second each).
	DisableTokenCache bool
	// DisableSubprocess turns off the fallback to
	// "az account get-access-token" when the token cache cannot serve.
	DisableSubprocess bool
	// AzPath is the az program for the fallback; "" means "az" on PATH.
	AzPath string
	// Timeout bounds one run of az; 0 means [DefaultTimeout].
	Timeout time.Duration
}

// Credential gets tokens from the developer's Azure CLI session, silently.
//
// It reads Azure CLI's own MSAL token cache (msal_token_cache.json, or
// the DPAPI-protected msal_token_cache.bin on Windows) in Azure CLI's
// configuration directory, for the account of the default subscription in
// azureProfile.json: a valid access token there is returned with no
// request and no subprocess. Otherwise the account's refresh token is
// redeemed as the Azure CLI client, and the new tokens are written back
// to the same file under Azure CLI's lock ("<file>.lockfile"), so az and
// this library keep one cache. When az's files show no session (no
// profile, signed out, no default subscription, no tokens for the user)
// no subprocess runs: az would only say the same, after a second or more.
// Only when az's cache cannot be read here (encrypted in a store this
// library does not read, a service principal or managed identity account,
// a file refused for its mode) does it run "az account get-access-token"
// with a timeout, as azure-identity's AzureCliCredential does, and then
// only when az's default account is Options.Username, if set (a
// credential bound to a user serves only that user's session).
//
// It never prompts. With no usable session it returns an
// *oauth.CredentialUnavailableError saying to run az login; an
// authority's refusal of the session's refresh token (revoked, expired,
// MFA required) is an *oauth.Error, wrapped in an error naming az login,
// which stops an [oauth.Chain] (as azure-identity's); on the subprocess
// route, az's own report of such a refusal (an AADSTS error) stops it too.
//
// Azure CLI declares itself CAE-capable (cp1) on every request and keeps
// one kind of token, so TokenOptions.EnableCAE does not split the cache
// here: every request shares Azure CLI's tokens.
type Credential struct {
	opts Options
	goos string

	mu     sync.Mutex
	client *engine.Client // nil until a session is found
	sess   session
	ready  atomic.Pointer[engine.Client] // client, once found
}

var _ oauth.Credential = (*Credential)(nil)

// New returns a credential for the Azure CLI session. It reads nothing
// yet: the session is looked up on first use (and again on every use
// until one is found), so a credential made before az login works after
// it. Once found, the account is kept for the credential's life; a later
// az login as someone else, or az account set to another tenant, needs a
// new Credential.
func New(opts *Options) (*Credential, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.DisableTokenCache && o.DisableSubprocess {
		return nil, errors.New("azurecli: DisableTokenCache and DisableSubprocess leave no way to get a token")
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("azurecli: negative Timeout %v", o.Timeout)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.ConfigDir == "" {
		o.ConfigDir = DefaultConfigDir()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Credential{opts: o, goos: runtime.GOOS}, nil
}

// DefaultConfigDir is Azure CLI's configuration directory:
// $AZURE_CONFIG_DIR, else .azure in the home directory; "" when neither
// is usable (see [ErrNoConfigDir]).
func DefaultConfigDir() string {
	d, _ := configDir()
	return d
}

// GetToken returns an access token for opts.Scopes from the Azure CLI
// session: from its cache, else by refreshing, else from az.
func (c *Credential) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	if len(opts.Scopes) == 0 {
		return oauth.AccessToken{}, oauth.ErrNoScopes
	}
	var (
		client   *engine.Client
		cacheErr = errCacheDisabled
	)
	if !c.opts.DisableTokenCache {
		client, cacheErr = c.engine(ctx)
	}
	if client != nil {
		o := opts
		o.EnableCAE = false
		tok, err := client.GetToken(ctx, o, nil)
		if err == nil || !needsSignIn(err) {
			return tok, err
		}
		var refused *oauth.Error
		if errors.As(err, &refused) {
			// The authority refused the session's refresh token (revoked,
			// expired, MFA required): a real refusal, as azure-identity's
			// AzureCliCredential reports az's own; az would fail the same.
			return oauth.AccessToken{}, fmt.Errorf("azurecli: Azure CLI's session was refused; run az login: %w", refused)
		}
		cacheErr = errors.New("the refresh token in Azure CLI's cache needs the user to sign in again")
	}
	if errors.Is(cacheErr, errNoSession) {
		// az's own files show no session for this request (signed out,
		// no default subscription, no tokens for the user): az would say
		// the same, so no subprocess.
		return oauth.AccessToken{}, &oauth.CredentialUnavailableError{Credential: name,
			Reason: "no Azure CLI session in " + c.opts.ConfigDir + "; run az login", Err: cacheErr}
	}
	if opts.Claims != "" {
		// az account get-access-token cannot answer a claims challenge.
		return oauth.AccessToken{}, &oauth.CredentialUnavailableError{Credential: name,
			Reason: "the claims challenge needs an interactive sign-in; run az login", Err: cacheErr}
	}
	if c.opts.DisableSubprocess {
		return oauth.AccessToken{}, &oauth.CredentialUnavailableError{Credential: name,
			Reason: "no usable Azure CLI session in " + c.opts.ConfigDir + "; run az login", Err: cacheErr}
	}
	tenant := opts.TenantID
	if tenant == "" {
		tenant = c.opts.TenantID
	}
	if err := c.allowTenant(opts.TenantID); err != nil {
		return oauth.AccessToken{}, err
	}
	if err := c.subprocessServes(); err != nil {
		return oauth.AccessToken{}, err
	}
	args, err := azCommand(opts.Scopes, tenant)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	out, err := c.runAz(ctx, args)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	return tokenFromAz(out, time.Local, time.Now())
}

// allowTenant applies AdditionallyAllowedTenants to a per-request tenant
// on the subprocess route (the engine applies it on the cache route).
func (c *Credential) allowTenant(t string) error {
	if t == "" || strings.EqualFold(t, c.opts.TenantID) {
		return nil
	}
	if err := oauth.ValidateTenant(t); err != nil {
		return err
	}
	allowed := append(append([]string(nil), c.opts.AdditionallyAllowedTenants...),
		strings.Split(os.Getenv("AZURE_ADDITIONALLY_ALLOWED_TENANTS"), ";")...)
	for _, a := range allowed {
		if a = strings.TrimSpace(a); a == "*" || strings.EqualFold(a, t) {
			return nil
		}
	}
	c.mu.Lock()
	home := c.sess.tenantID
	c.mu.Unlock()
	if c.opts.TenantID == "" && home != "" && strings.EqualFold(t, home) {
		return nil
	}
	return &oauth.TenantNotAllowedError{TenantID: t}
}

// engine returns the engine over Azure CLI's cache, looking the session
// up until one is found; nil and the reason when there is none.
func (c *Credential) engine(ctx context.Context) (*engine.Client, error) {
	if cl := c.ready.Load(); cl != nil {
		return cl, nil // the warm path: no lock
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return c.client, nil
	}
	client, sess, err := c.open(ctx)
	if err != nil {
		c.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "azurecli: cache not usable", slog.String("reason", err.Error()))
		return nil, err
	}
	c.client, c.sess = client, sess
	c.ready.Store(client)
	return client, nil
}

// open reads the profile and the cache and builds the engine.
func (c *Credential) open(ctx context.Context) (*engine.Client, session, error) {
	if c.opts.ConfigDir == "" {
		return nil, session{}, ErrNoConfigDir
	}
	sess, err := c.session()
	if err != nil {
		return nil, session{}, err
	}
	if sess.userType != "" && !strings.EqualFold(sess.userType, "user") {
		return nil, sess, fmt.Errorf("the Azure CLI account is a %s, whose secret is not in the token cache", sess.userType)
	}
	host, err := authorityHost(c.opts.ConfigDir, sess.cloud)
	if err != nil {
		return nil, sess, err
	}
	if err := c.servesCloud(host); err != nil {
		return nil, sess, err
	}
	choice := chooseCache(c.opts.ConfigDir, c.goos)
	if choice.encrypted && c.goos != "windows" {
		// In the Secret Service or keychain under az's own item, not in
		// a file whose absence would mean "signed out".
		return nil, sess, errCacheUnreadable
	}
	st, err := openStorage(choice, c.goos)
	if err != nil {
		return nil, sess, err
	}
	tc := cache.New(st, &cache.Options{Logger: c.opts.Logger})
	if err := tc.Sync(ctx); err != nil {
		return nil, sess, fmt.Errorf("reading Azure CLI's token cache: %w", err)
	}
	auth, err := engine.ParseAuthority(host, sess.tenantID)
	if err != nil {
		return nil, sess, err
	}
	acct, ok := findAccount(tc.Accounts(auth.Host, oauth.AzureCLIClientID), sess)
	if !ok {
		return nil, sess, fmt.Errorf("%w: %s has no tokens in Azure CLI's cache", errNoSession, sess.username)
	}
	client, err := engine.New(oauth.AzureCLIClientID, &oauth.ClientOptions{
		AuthorityHost: host, TenantID: sess.tenantID, HTTPClient: c.opts.HTTPClient, Cache: tc,
		AuthenticationRecord: oauth.AuthenticationRecord{
			Authority: host, ClientID: oauth.AzureCLIClientID, HomeAccountID: acct.HomeAccountID,
			TenantID: sess.tenantID, Username: acct.Username, Version: "1.0",
		},
		DisableAutomaticAuthentication: true,
		DisableInstanceDiscovery:       c.opts.DisableInstanceDiscovery,
		AdditionallyAllowedTenants:     c.opts.AdditionallyAllowedTenants,
		Logger:                         c.opts.Logger,
		LogPII:                         c.opts.LogPII,
	})
	if err != nil {
		return nil, sess, err
	}
	return client, sess, nil
}

// session is the account to use: the default subscription's, with the
// options' username and tenant on top.
func (c *Credential) session() (session, error) {
	var sess session
	b, err := readFile(filepath.Join(c.opts.ConfigDir, "azureProfile.json"))
	switch {
	case err == nil:
		if sess, err = parseProfile(b); err != nil && c.opts.Username == "" {
			return session{}, err
		}
	case c.opts.Username == "":
		return session{}, fmt.Errorf("%w: %v", errNoSession, err)
	}
	if c.opts.Username != "" {
		sess.username, sess.userType = c.opts.Username, "user"
	}
	if c.opts.TenantID != "" {
		sess.tenantID = c.opts.TenantID
	}
	return sess, nil
}

// findAccount picks the cached account of the session's user, preferring
// the entry of the session's tenant.
func findAccount(accts []cache.Account, sess session) (cache.Account, bool) {
	var found *cache.Account
	for i := range accts {
		a := &accts[i]
		if !strings.EqualFold(a.Username, sess.username) {
			continue
		}
		if found == nil || strings.EqualFold(a.Realm, sess.tenantID) {
			found = a
		}
	}
	if found == nil {
		return cache.Account{}, false
	}
	return *found, true
}

// needsSignIn reports whether the engine could not serve without the user
// (nothing usable cached, or a refresh that needs interaction).
func needsSignIn(err error) bool {
	var are *oauth.AuthenticationRequiredError
	return errors.As(err, &are)
}
