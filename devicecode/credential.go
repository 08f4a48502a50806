package devicecode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// grantType is RFC 8628's grant type; Entra also accepts "device_code".
const grantType = "urn:ietf:params:oauth:grant-type:device_code"

// Options configure a [Credential]. A nil *Options means the defaults.
type Options struct {
	oauth.ClientOptions

	// UserPrompt shows the user what to do: open m.VerificationURI and enter
	// m.UserCode before m.ExpiresOn (m.Message is Entra's own text for
	// this). It is called once per sign-in, after the device
	// authorization request and before polling starts, and should return
	// promptly; polling runs after it returns. An error aborts the
	// sign-in; ctx ends when the code expires, at the latest. Nil is
	// [WriterPrompt] on standard error, which is unavailable (see
	// [Credential.GetToken]) only where standard error is closed or the
	// null device. A prompt should show m.Warning when it is set.
	UserPrompt func(ctx context.Context, m Message) error
}

// Credential signs a user in with the device authorization grant
// (RFC 8628): the user enters a short code on another device's browser
// while this program polls. Tokens come from the cache, or a refresh token,
// whenever they can: the prompt is shown only when neither serves.
// Without an AuthenticationRecord the credential is bound to nobody: it
// serves the only account of its client ID in the cache, whoever signed
// it in; give it the record of a sign-in to bind it to that account.
// A Credential is safe for concurrent use.
type Credential struct {
	client *engine.Client
	prompt func(context.Context, Message) error
	reach  func() error // nil: the caller's prompt, assumed to reach someone
}

var _ oauth.Credential = (*Credential)(nil)

// New returns a device code credential for clientID ("" means the Azure
// CLI public client). It makes no request.
func New(clientID string, opts *Options) (*Credential, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	c, err := engine.New(clientID, &o.ClientOptions)
	if err != nil {
		return nil, fmt.Errorf("devicecode: %w", err)
	}
	c.SetName("devicecode")
	cred := &Credential{client: c, prompt: o.UserPrompt}
	if o.UserPrompt == nil {
		cred.prompt = WriterPrompt(os.Stderr)
		cred.reach = func() error { return reachable(os.Stderr) }
	}
	return cred, nil
}

// GetToken returns an access token for o.Scopes: from the cache, else by
// refreshing, else by a device code sign-in (unless the credential's
// DisableAutomaticAuthentication is set). With the default prompt and
// standard error closed or the null device, nobody can read the code: the
// sign-in fails with an *oauth.CredentialUnavailableError before any
// device code is requested.
func (c *Credential) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	return c.client.GetToken(ctx, o, c.step)
}

// Authenticate signs the user in with a device code, even when a token is
// cached (it is the explicit sign-in), caches the tokens, and returns the
// record that identifies the account for later silent use.
func (c *Credential) Authenticate(ctx context.Context, o oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	return c.client.Authenticate(ctx, o, c.step)
}

// step is the interactive part: device authorization, prompt, polling.
func (c *Credential) step(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
	if c.reach != nil {
		if err := c.reach(); err != nil {
			return nil, err
		}
	}
	if req.Endpoints.DeviceCode == "" {
		return nil, errors.New("devicecode: the authority has no device authorization endpoint")
	}
	auth, err := requestDeviceCode(ctx, c.client, req.Endpoints.DeviceCode, req.Scopes)
	if err != nil {
		return nil, err
	}
	log := c.client.Logger()
	auth.msg.Warning = warning(auth.msg, c.client.Authority().Host)
	if auth.msg.Warning != "" {
		log.LogAttrs(ctx, slog.LevelWarn, "devicecode: "+auth.msg.Warning,
			slog.String("verification_uri", auth.msg.VerificationURI))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "devicecode: waiting for the user",
		slog.Duration("interval", auth.interval), slog.Time("expires_on", auth.msg.ExpiresOn))
	// The prompt's context ends when the code expires: a prompt still
	// running then has nothing left to show.
	pctx, cancel := context.WithDeadline(ctx, auth.msg.ExpiresOn)
	err = c.prompt(pctx, auth.msg)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("devicecode: prompt: %w", err)
	}
	form := url.Values{"grant_type": {grantType}, "device_code": {auth.deviceCode}}
	return poll(ctx, auth.interval, auth.msg.ExpiresOn, log, func(ctx context.Context) (*engine.TokenResult, error) {
		return c.client.RedeemToken(ctx, req, form, "")
	})
}
