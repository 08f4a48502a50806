package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// PasswordCredential signs a user in with a username and password: the
// OAuth 2.0 resource owner password credentials grant (ROPC).
//
// ROPC is discouraged. RFC 9700 (OAuth 2.0 Security Best Current
// Practice, section 2.4) says it "MUST NOT be used": the application
// handles the user's password, which trains users to type passwords into
// applications, and the grant cannot do multi-factor authentication,
// passwordless sign-in, federation or consent. Microsoft Entra ID refuses
// it for accounts that need MFA (the *Error carries the claims challenge)
// and for federated accounts. Prefer the device code or browser flows;
// use this only for test accounts and legacy automation.
type PasswordCredential struct {
	client   *Client
	username string
	password string
	stepFn   Interactive // p.step, bound once: a method value allocates per call
}

var _ Credential = (*PasswordCredential)(nil)

// NewPasswordCredential returns a credential for username and password.
// The credential is bound to username: it serves only that user's cached
// tokens (compared case-insensitively), never another account that happens
// to be the only one in a shared cache, and refuses a sign-in that the
// authority answers for another user.
// opts.TenantID must be a tenant or "organizations" (Entra refuses the
// password grant on "common" and "consumers"); "" means "organizations".
func NewPasswordCredential(clientID, username, password string, opts *ClientOptions) (*PasswordCredential, error) {
	if username == "" || password == "" {
		return nil, errors.New("oauth: the password credential needs a username and a password")
	}
	c, err := NewClient(clientID, opts)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(c.auth.Tenant) {
	case TenantCommon, TenantConsumers:
		return nil, errors.New("oauth: the password grant needs a tenant or \"organizations\", not " + c.auth.Tenant)
	}
	c.BindUser(username)
	c.SetName("password")
	p := &PasswordCredential{client: c, username: username, password: password}
	p.stepFn = p.step
	return p, nil
}

// GetToken returns a token for opts, silently when the cache allows.
func (p *PasswordCredential) GetToken(ctx context.Context, opts TokenOptions) (AccessToken, error) {
	return p.client.GetToken(ctx, opts, p.stepFn)
}

// Authenticate signs the user in and returns the authentication record.
// When the cache cannot be persisted it returns the record with an error
// matching cache.ErrNotPersisted, as [Client.Authenticate] describes.
func (p *PasswordCredential) Authenticate(ctx context.Context, opts TokenOptions) (AuthenticationRecord, error) {
	return p.client.Authenticate(ctx, opts, p.stepFn)
}

// Client returns the engine, for Accounts and RemoveAccount.
func (p *PasswordCredential) Client() *Client { return p.client }

// step runs user realm discovery, then the password grant for a managed user.
func (p *PasswordCredential) step(ctx context.Context, req *InteractiveRequest) (*TokenResult, error) {
	if !req.auth.IsADFS() {
		realm, err := p.client.userRealm(ctx, req.auth, p.username)
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
func (p PasswordCredential) Format(f fmt.State, _ rune) {
	clientID := ""
	if p.client != nil {
		clientID = p.client.clientID
	}
	writeFormatted(f, "oauth.PasswordCredential{ClientID: "+strconv.Quote(clientID)+
		", Username: "+strconv.Quote(p.username)+", Password: "+redactedSecret(p.password)+"}")
}
