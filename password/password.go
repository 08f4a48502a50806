package password

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// Credential signs a user in with a username and password: the
// OAuth 2.0 resource owner password credentials grant (ROPC).
//
// ROPC is discouraged. RFC 9700 (OAuth 2.0 Security Best Current
// Practice, section 2.4) says it "MUST NOT be used": the application
// handles the user's password, which trains users to type passwords into
// applications, and the grant cannot do multi-factor authentication,
// passwordless sign-in, federation or consent. Microsoft Entra ID refuses
// it for accounts that need MFA (the *oauth.Error carries the claims
// challenge) and for federated accounts. Prefer the device code or
// browser flows; use this only for test accounts and legacy automation.
type Credential struct {
	client   *engine.Client
	username string
	password string
	stepFn   engine.Interactive // p.step, bound once: a method value allocates per call
}

var (
	_ oauth.Credential     = (*Credential)(nil)
	_ oauth.Authenticator  = (*Credential)(nil)
	_ oauth.AccountManager = (*Credential)(nil)
)

// Options configure a password [Credential]; Username and Password are
// required.
type Options struct {
	oauth.ClientOptions

	// Username is the user's sign-in name (user@contoso.com).
	Username string
	// Password is the user's password. It is sent only in the token
	// request's body, and never logged or formatted.
	Password string
}

// Format writes the options without the password, for every verb.
func (o Options) Format(f fmt.State, _ rune) {
	redact.Format(f, "password.Options{Username: "+strconv.Quote(o.Username)+", Password: "+redact.Secret(o.Password)+"}")
}

// New returns a credential for opts.Username and opts.Password, for
// clientID ("" means [oauth.AzureCLIClientID]). The credential is bound to
// the username: it serves only that user's cached tokens (compared
// case-insensitively), never another account that happens to be the only
// one in a shared cache, and refuses a sign-in that the authority answers
// for another user. opts.TenantID must be a tenant or "organizations"
// (Entra refuses the password grant on "common" and "consumers"); ""
// means "organizations".
func New(clientID string, opts *Options) (*Credential, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Username == "" || o.Password == "" {
		return nil, errors.New("oauth: the password credential needs a username and a password")
	}
	c, err := engine.New(clientID, &o.ClientOptions)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(c.Authority().Tenant) {
	case oauth.TenantCommon, oauth.TenantConsumers:
		return nil, errors.New("oauth: the password grant needs a tenant or \"organizations\", not " + c.Authority().Tenant)
	}
	c.BindUser(o.Username)
	c.SetName("password")
	p := &Credential{client: c, username: o.Username, password: o.Password}
	p.stepFn = p.step
	return p, nil
}

// GetToken returns a token for opts, silently when the cache allows.
func (p *Credential) GetToken(ctx context.Context, opts oauth.TokenOptions) (oauth.AccessToken, error) {
	return p.client.GetToken(ctx, opts, p.stepFn)
}

// Authenticate signs the user in and returns the authentication record.
// When the cache cannot be persisted it returns the record with an error
// matching cache.ErrNotPersisted, as every credential's Authenticate does.
func (p *Credential) Authenticate(ctx context.Context, opts oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	return p.client.Authenticate(ctx, opts, p.stepFn)
}

// step runs user realm discovery, then the password grant for a managed user.
func (p *Credential) step(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
	if !req.Authority().IsADFS() {
		realm, err := p.client.UserRealm(ctx, req.Authority(), p.username)
		if err != nil {
			return nil, err
		}
		if realm.AccountType == "Federated" {
			return nil, &FederatedAccountError{Domain: realm.DomainName, Protocol: realm.FederationProtocol,
				MetadataURL: realm.FederationMetadataURL}
		}
	}
	form := url.Values{"grant_type": {"password"}, "username": {p.username}, "password": {p.password}}
	return p.client.RedeemToken(ctx, req, form, "")
}

// Format writes the credential without its password, for every verb.
func (p Credential) Format(f fmt.State, _ rune) {
	clientID := ""
	if p.client != nil {
		clientID = p.client.ClientID()
	}
	redact.Format(f, "password.Credential{ClientID: "+strconv.Quote(clientID)+
		", Username: "+strconv.Quote(p.username)+", Password: "+redact.Secret(p.password)+"}")
}
