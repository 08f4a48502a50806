package engine

import (
	"context"
	"log/slog"

	"github.com/entraauth/entraauth/oauth"
)

// noAccount is GetToken's error when no account serves silently and no
// interactive step may run.
func (c *Client) noAccount(ctx context.Context, opts oauth.TokenOptions) error {
	_, n := c.pickAccount()
	c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: no single account to sign in silently", slog.Int("accounts", n))
	return &oauth.CredentialUnavailableError{Credential: c.name,
		Reason: "no account to sign in silently and automatic authentication is disabled",
		Err:    &oauth.NoAccountError{Credential: c.name, Found: n, TokenOptions: opts}}
}

// SetName names the credential built over this client in its errors
// ("devicecode", "loopback", ...). Call it before the first GetToken;
// the default is "oauth".
func (c *Client) SetName(name string) {
	if name != "" {
		c.name = name
	}
}
