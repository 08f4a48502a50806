package oauth

import (
	"context"
	"log/slog"
)

// noAccount is GetToken's error when no account serves silently and no
// interactive step may run.
func (c *Client) noAccount(ctx context.Context, opts TokenOptions) error {
	_, n := c.pickAccount()
	c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: no single account to sign in silently", slog.Int("accounts", n))
	return &CredentialUnavailableError{Credential: c.name,
		Reason: "no account to sign in silently and automatic authentication is disabled",
		Err:    &NoAccountError{Credential: c.name, Found: n, TokenOptions: opts}}
}

// SetName names the credential built over this client in its errors
// ("devicecode", "loopback", ...). Call it before the first GetToken;
// the default is "oauth".
func (c *Client) SetName(name string) {
	if name != "" {
		c.name = name
	}
}
