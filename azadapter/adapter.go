// Package azadapter makes any entraauth credential an
// azcore.TokenCredential, so Azure SDK for Go clients can use entraauth's
// device code, browser, broker or password sign-in.
//
// It lives in its own module so that entraauth itself never links azcore.
package azadapter

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/entraauth/entraauth/oauth"
)

// Credential is an azcore.TokenCredential backed by an oauth.Credential.
type Credential struct {
	cred oauth.Credential
}

var _ azcore.TokenCredential = (*Credential)(nil)

// New returns cred as an azcore.TokenCredential.
func New(cred oauth.Credential) *Credential { return &Credential{cred: cred} }

// GetToken implements azcore.TokenCredential: the request options map
// field for field onto oauth.TokenOptions, the token back onto
// azcore.AccessToken (RefreshOn included, so azcore's bearer-token policy
// refreshes when Entra asked).
func (c *Credential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	at, err := c.cred.GetToken(ctx, oauth.TokenOptions{
		Scopes:    opts.Scopes,
		Claims:    opts.Claims,
		TenantID:  opts.TenantID,
		EnableCAE: opts.EnableCAE,
	})
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return azcore.AccessToken{Token: at.Token, ExpiresOn: at.ExpiresOn, RefreshOn: at.RefreshOn}, nil
}
