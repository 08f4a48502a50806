package msalgo

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// Credential adapts MSAL Go's public client to oauth.Credential, so the
// conformance kit can run the same checks against it: GetToken is
// AcquireTokenSilent for the remembered account, else the device code
// sign-in (AcquireTokenByDeviceCode), as azidentity's
// DeviceCodeCredential does. It adds no checking of its own: whatever
// MSAL accepts, the adapter returns.
type Credential struct {
	mu      sync.Mutex
	clients map[bool]public.Client // by CAE: MSAL sets capabilities per client
	account public.Account
	opts    oauth.ClientOptions
	prompt  func(ctx context.Context, userCode string) error
}

var _ oauth.Credential = (*Credential)(nil)

// New returns an adapter for clientID ("" means the Azure CLI's) and opts (AuthorityHost, TenantID, HTTPClient,
// AuthenticationRecord, DisableAutomaticAuthentication and
// AdditionallyAllowedTenants are used); store, when not nil, is MSAL's
// cache (shared by adapters built on one store). prompt is told the user
// code of each device code sign-in.
func New(clientID string, opts oauth.ClientOptions, store cache.ExportReplace, prompt func(ctx context.Context, userCode string) error) (*Credential, error) {
	if clientID == "" {
		clientID = oauth.AzureCLIClientID
	}
	c := &Credential{clients: map[bool]public.Client{}, opts: opts, prompt: prompt}
	for _, cae := range []bool{false, true} {
		o := []public.Option{
			public.WithAuthority(strings.TrimSuffix(opts.AuthorityHost, "/") + "/" + opts.TenantID),
			public.WithHTTPClient(opts.HTTPClient),
		}
		if store != nil {
			o = append(o, public.WithCache(store))
		}
		if cae {
			o = append(o, public.WithClientCapabilities([]string{"cp1"}))
		}
		pc, err := public.New(clientID, o...)
		if err != nil {
			return nil, err
		}
		c.clients[cae] = pc
	}
	return c, nil
}

// GetToken returns a token: silently for the remembered (or recorded)
// account, else by a device code sign-in.
func (c *Credential) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	pc := c.clients[o.EnableCAE]
	if acct, ok := c.silentAccount(ctx, pc); ok {
		opts := []public.AcquireSilentOption{public.WithSilentAccount(acct)}
		if o.Claims != "" {
			opts = append(opts, public.WithClaims(o.Claims))
		}
		if o.TenantID != "" {
			opts = append(opts, public.WithTenantID(o.TenantID))
		}
		res, err := pc.AcquireTokenSilent(ctx, o.Scopes, opts...)
		if err == nil {
			return token(res), nil
		}
		if ctx.Err() != nil {
			return oauth.AccessToken{}, ctx.Err()
		}
	}
	if c.opts.DisableAutomaticAuthentication {
		return oauth.AccessToken{}, &oauth.AuthenticationRequiredError{TokenOptions: o}
	}
	res, err := c.deviceCode(ctx, pc, o)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	return token(res), nil
}

// Authenticate signs in with a device code and returns the record.
func (c *Credential) Authenticate(ctx context.Context, o oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	res, err := c.deviceCode(ctx, c.clients[o.EnableCAE], o)
	if err != nil {
		return oauth.AuthenticationRecord{}, err
	}
	a := res.Account
	return oauth.AuthenticationRecord{Authority: "https://" + a.Environment, ClientID: res.IDToken.Audience,
		HomeAccountID: a.HomeAccountID, TenantID: a.Realm, Username: a.PreferredUsername, Version: "1.0"}, nil
}

func (c *Credential) deviceCode(ctx context.Context, pc public.Client, o oauth.TokenOptions) (public.AuthResult, error) {
	var opts []public.AcquireByDeviceCodeOption
	if o.Claims != "" {
		opts = append(opts, public.WithClaims(o.Claims))
	}
	if o.TenantID != "" {
		opts = append(opts, public.WithTenantID(o.TenantID))
	}
	dc, err := pc.AcquireTokenByDeviceCode(ctx, o.Scopes, opts...)
	if err != nil {
		return public.AuthResult{}, translate(err)
	}
	if err := c.prompt(ctx, dc.Result.UserCode); err != nil {
		return public.AuthResult{}, err
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		return public.AuthResult{}, translate(err)
	}
	c.mu.Lock()
	c.account = res.Account
	c.mu.Unlock()
	return res, nil
}

// silentAccount is the remembered account, else the recorded one found in
// MSAL's cache.
func (c *Credential) silentAccount(ctx context.Context, pc public.Client) (public.Account, bool) {
	c.mu.Lock()
	acct := c.account
	c.mu.Unlock()
	if !acct.IsZero() {
		return acct, true
	}
	home := c.opts.AuthenticationRecord.HomeAccountID
	if home == "" {
		return public.Account{}, false
	}
	accts, err := pc.Accounts(ctx)
	if err != nil {
		return public.Account{}, false
	}
	for _, a := range accts {
		if strings.EqualFold(a.HomeAccountID, home) {
			return a, true
		}
	}
	return public.Account{}, false
}

func token(r public.AuthResult) oauth.AccessToken {
	return oauth.AccessToken{Token: r.AccessToken, ExpiresOn: r.ExpiresOn, RefreshOn: r.Metadata.RefreshOn, TokenType: "Bearer"}
}

// translate turns MSAL's error for an authority's answer into an
// *oauth.Error, from the body MSAL keeps in its CallErr; other errors
// (and the context's) are returned as they are.
func translate(err error) error {
	var ce msalerrors.CallErr
	if !errors.As(err, &ce) || ce.Resp == nil || ce.Resp.Body == nil {
		return err
	}
	body, rerr := io.ReadAll(io.LimitReader(ce.Resp.Body, 1<<20))
	if rerr != nil {
		return err
	}
	return engine.ParseErrorResponse("token", ce.Resp.StatusCode, body)
}
