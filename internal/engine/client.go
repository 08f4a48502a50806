package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/entraauth/entraauth/cache"
	"github.com/entraauth/entraauth/oauth"
)

// Client is the public-client engine shared by every flow: silent
// acquisition from the cache, refresh, single-flight, the interactive
// step when nothing else serves. It is safe for concurrent use.
type Client struct {
	clientID string
	name     string // the credential's name in errors
	opts     oauth.ClientOptions
	auth     Authority
	wire     *wire
	log      *slog.Logger
	cache    *cache.Cache
	allowed  []string // additionally allowed tenants, lower-cased
	anyTenat bool

	account atomic.Pointer[oauth.Account] // the account GetToken serves silently
	bound   binding                       // the user this client serves, if bound to one
	memo    atomic.Pointer[[]keyMemo]     // recent requests -> cache keys (hot path)

	flightMu sync.Mutex
	flights  map[flightKey]*flight

	keysMu  sync.Mutex
	keySets map[string]*keySet // key sets of a transport that cannot be shared

	verified atomic.Pointer[verifiedToken] // the last ID token this client verified

	// authRealm is auth's cache realm once known (at New for a tenant
	// not named by a domain), for the hot path (realm.go).
	authRealm  atomic.Pointer[string]
	realmMu    sync.RWMutex
	ep         Endpoints          // auth.Endpoints(), built once
	authString string             // auth.String(), built once
	realms     map[realmID]string // domain authorities' tenant IDs ("" when unknown; realm.go)
}

// New returns a Client for clientID ("" means [oauth.AzureCLIClientID]).
func New(clientID string, opts *oauth.ClientOptions) (*Client, error) {
	if clientID == "" {
		clientID = oauth.AzureCLIClientID
	}
	var o oauth.ClientOptions
	if opts != nil {
		o = *opts
	}
	rec := o.AuthenticationRecord
	if rec != (oauth.AuthenticationRecord{}) && rec.ClientID != "" && !strings.EqualFold(rec.ClientID, clientID) {
		return nil, fmt.Errorf("oauth: the authentication record is for client %s, not %s", rec.ClientID, clientID)
	}
	host := o.AuthorityHost
	if host == "" {
		host = os.Getenv("AZURE_AUTHORITY_HOST")
	}
	if host == "" && rec.Authority != "" {
		host = rec.Authority
	}
	tenant := o.TenantID
	if tenant == "" {
		tenant = rec.TenantID
	}
	auth, err := ParseAuthority(host, tenant)
	if err != nil {
		return nil, err
	}
	c := &Client{
		clientID: clientID,
		name:     "oauth",
		opts:     o,
		auth:     auth,
		log:      o.Logger,
		cache:    o.Cache,
		flights:  map[flightKey]*flight{},
		keySets:  map[string]*keySet{},
	}
	if !isDomainTenant(auth) {
		c.authRealm.Store(&auth.Tenant)
	}
	c.ep, c.authString = auth.Endpoints(), auth.String()
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.cache == nil {
		c.cache = cache.New(nil, &cache.Options{Logger: c.log})
	}
	c.wire = newWire(o.HTTPClient, c.log, o.LogPII)
	env := os.Getenv("AZURE_ADDITIONALLY_ALLOWED_TENANTS")
	for _, t := range append(append([]string(nil), o.AdditionallyAllowedTenants...), strings.Split(env, ";")...) {
		t = strings.ToLower(strings.TrimSpace(t))
		switch t {
		case "":
		case "*":
			c.anyTenat = true
		default:
			c.allowed = append(c.allowed, t)
		}
	}
	if rec.HomeAccountID != "" {
		c.bound.homeAccountID = rec.HomeAccountID
		a := oauth.Account{HomeAccountID: rec.HomeAccountID, Environment: auth.Host, Realm: rec.TenantID, Username: rec.Username}
		c.account.Store(&a)
	}
	return c, nil
}

// endpoints is auth.Endpoints(), not built again for the client's own
// authority.
func (c *Client) endpoints(auth Authority) Endpoints {
	if auth == c.auth {
		return c.ep
	}
	return auth.Endpoints()
}

// authorityString is auth.String(), not built again for the client's own
// authority.
func (c *Client) authorityString(auth Authority) string {
	if auth == c.auth {
		return c.authString
	}
	return auth.String()
}

// ClientID returns the application (client) ID.
func (c *Client) ClientID() string { return c.clientID }

// Logger returns the client's logger (never nil).
func (c *Client) Logger() *slog.Logger { return c.log }

// Authority returns the client's authority.
func (c *Client) Authority() Authority { return c.auth }

// Cache returns the token cache the client uses.
func (c *Client) Cache() *cache.Cache { return c.cache }

// resolveTenant applies the tenant gate to a per-request tenant.
func (c *Client) resolveTenant(requested string) (Authority, error) {
	if requested == "" || strings.EqualFold(requested, c.auth.Tenant) {
		return c.auth, nil
	}
	if err := oauth.ValidateTenant(requested); err != nil {
		return Authority{}, err
	}
	if c.auth.IsADFS() {
		return Authority{}, errors.New("oauth: an AD FS authority has no tenants to switch to")
	}
	if !c.anyTenat && !containsFold(c.allowed, requested) {
		return Authority{}, &oauth.TenantNotAllowedError{TenantID: requested}
	}
	return c.auth.WithTenant(requested)
}

func containsFold(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
