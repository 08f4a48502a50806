package loopback

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/pkce"
)

// DefaultTimeout is how long a sign-in waits for the browser to come back
// when Options.Timeout is zero: a user who closed the browser does not
// leave the program waiting forever (MSAL Go waits without limit).
const DefaultTimeout = 5 * time.Minute

// Options configure a [Credential]. A nil *Options means the defaults.
type Options struct {
	oauth.ClientOptions

	// RedirectURI is the loopback redirect URI registered for the
	// application. "" means "http://localhost" with a port the system
	// picks, which every app registration with the redirect URI
	// http://localhost matches (Entra ignores the port of localhost
	// redirect URIs). Use "http://127.0.0.1" for a registration that
	// names the address, and a port ("http://localhost:8400") only when a
	// firewall or forwarding needs a fixed one; a taken fixed port fails
	// with [ErrPortInUse] instead of moving elsewhere. See [ListenerOptions].
	RedirectURI string

	// ResponseMode is how the authority returns the code:
	// [ResponseModeFormPost] ("" means it), a POST that keeps the code out
	// of the URL, or [ResponseModeQuery].
	ResponseMode string

	// Prompt is OIDC's prompt: "login", "select_account", "consent",
	// "create" or "none". "" means select_account, except when there is a
	// login hint (LoginHint, or the account of the AuthenticationRecord):
	// then no prompt is sent, so the hinted account signs in.
	Prompt string

	// LoginHint pre-fills the username on the sign-in page. "" means the
	// username of the AuthenticationRecord's account, if any. A LoginHint
	// binds the credential to that user: it serves only that user's cached
	// tokens (never another account that is the only one in a shared
	// cache), and a sign-in in which the user picks another account fails
	// with an error matching oauth.ErrAccountMismatch. Without a hint or a
	// record the credential serves the only cached account, whoever it is.
	LoginHint string

	// DomainHint ("organizations", "consumers" or a tenant's domain)
	// skips the home realm discovery page.
	DomainHint string

	// OpenURL replaces the system browser: it gets the authorize URL and
	// must have it opened (or fetched) by a browser on this machine. It is
	// called while the listener already serves; an error ends the sign-in.
	// Nil means [OpenBrowser]; when that finds no browser, the URL is
	// written to Output, when set, for the user to open by hand and the
	// sign-in waits for it; with no Output the credential is unavailable
	// (see [ErrNoBrowser]).
	OpenURL func(ctx context.Context, authorizeURL string) error

	// Output, when set, receives the authorize URL when no browser can be
	// opened, and the sign-in waits for the user to open it by hand (a
	// remote shell with a port forwarded). Nil means that no browser is
	// no sign-in: GetToken fails with an *oauth.CredentialUnavailableError
	// wrapping [ErrNoBrowser], so a chain moves on to the next flow.
	Output io.Writer

	// Timeout bounds the wait for the browser to come back, from the
	// moment the browser is asked to open. 0 means [DefaultTimeout]. The
	// context of GetToken bounds it too.
	Timeout time.Duration
}

// Credential signs a user in interactively in the system browser, with
// the authorization code flow, PKCE (S256), state and nonce, receiving the
// code on a one-shot loopback listener. Tokens come from the cache, or a
// refresh token, whenever they can: the browser opens only when neither
// serves. A Credential is safe for concurrent use.
type Credential struct {
	client *engine.Client
	opts   Options
}

var _ oauth.Credential = (*Credential)(nil)

var prompts = []string{"", "login", "select_account", "consent", "create", "none"}

// New returns an interactive browser credential for clientID ("" means
// the Azure CLI public client). It validates opts and makes no request.
func New(clientID string, opts *Options) (*Credential, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if _, err := parseRedirectURI(o.RedirectURI); err != nil {
		return nil, err
	}
	switch o.ResponseMode {
	case "":
		o.ResponseMode = ResponseModeFormPost
	case ResponseModeFormPost, ResponseModeQuery:
	default:
		return nil, fmt.Errorf("loopback: unknown response mode %q (want %q or %q)", o.ResponseMode, ResponseModeFormPost, ResponseModeQuery)
	}
	valid := false
	for _, p := range prompts {
		valid = valid || o.Prompt == p
	}
	if !valid {
		return nil, fmt.Errorf("loopback: unknown prompt %q", o.Prompt)
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("loopback: negative Timeout %v", o.Timeout)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	c, err := engine.New(clientID, &o.ClientOptions)
	if err != nil {
		return nil, fmt.Errorf("loopback: %w", err)
	}
	if o.LoginHint != "" {
		c.BindUser(o.LoginHint)
	}
	c.SetName("loopback")
	return &Credential{client: c, opts: o}, nil
}

// GetToken returns an access token for o.Scopes: from the cache, else by
// refreshing, else by signing in in the browser (unless the credential's
// DisableAutomaticAuthentication is set).
func (c *Credential) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	return c.client.GetToken(ctx, o, c.step)
}

// Authenticate signs the user in in the browser and returns the record
// that identifies the account for later silent use.
func (c *Credential) Authenticate(ctx context.Context, o oauth.TokenOptions) (oauth.AuthenticationRecord, error) {
	return c.client.Authenticate(ctx, o, c.step)
}

// step is the interactive part: listen, open the browser, wait for the
// code, redeem it with the verifier.
func (c *Credential) step(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
	if err := c.canShowURL(); err != nil {
		return nil, err
	}
	verifier, err := pkce.NewVerifier()
	if err != nil {
		return nil, fmt.Errorf("loopback: %w", err)
	}
	state, err := randomString()
	if err != nil {
		return nil, err
	}
	nonce, err := randomString()
	if err != nil {
		return nil, err
	}
	// RFC 9207: an iss in the response must name this authority, for
	// tenant-independent ones too ("{tenantid}" stands for the user's
	// tenant; any host of the same cloud is the same authority).
	issuer := req.Endpoints.Issuer
	log := c.client.Logger()
	l, err := Listen(&ListenerOptions{
		RedirectURI: c.opts.RedirectURI, ResponseMode: c.opts.ResponseMode,
		State: state, Issuer: issuer, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	authURL, err := c.authorizeURL(req, l.RedirectURI(), state, nonce, pkce.Challenge(verifier))
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout,
		fmt.Errorf("no response from the browser within %v: %w", c.opts.Timeout, context.DeadlineExceeded))
	defer cancel()
	log.LogAttrs(ctx, slog.LevelInfo, "loopback: waiting for the browser",
		slog.String("redirect_uri", l.RedirectURI()), slog.String("response_mode", c.opts.ResponseMode))
	if err := c.open(wctx, authURL); err != nil {
		return nil, err
	}
	resp, err := l.Wait(wctx)
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {resp.Code},
		"code_verifier": {verifier},
		"redirect_uri":  {l.RedirectURI()}, // RFC 6749 4.1.3: the same string as on /authorize
	}
	return c.client.RedeemToken(ctx, req, form, nonce)
}

// authorizeURL builds the authorization request (RFC 6749 4.1.1, RFC 7636
// 4.3, OIDC Core 3.1.2.1 and Entra's extensions).
func (c *Credential) authorizeURL(req *engine.InteractiveRequest, redirectURI, state, nonce, challenge string) (string, error) {
	u, err := url.Parse(req.Endpoints.Authorize)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("loopback: invalid authorize endpoint %q", req.Endpoints.Authorize)
	}
	q := u.Query()
	q.Set("client_id", c.client.ClientID())
	q.Set("response_type", "code")
	q.Set("redirect_uri", redirectURI)
	q.Set("response_mode", c.opts.ResponseMode)
	q.Set("scope", strings.Join(req.Scopes, " "))
	q.Set("state", state)
	q.Set("nonce", nonce)
	q.Set("code_challenge", challenge)
	q.Set("code_challenge_method", pkce.Method) // always sent: omitted means plain (RFC 7636 4.3)
	hint := c.opts.LoginHint
	if hint == "" {
		hint = req.LoginHint
	}
	if hint != "" {
		q.Set("login_hint", hint)
	}
	switch {
	case c.opts.Prompt != "":
		q.Set("prompt", c.opts.Prompt)
	case hint == "":
		q.Set("prompt", "select_account")
	}
	if c.opts.DomainHint != "" {
		q.Set("domain_hint", c.opts.DomainHint)
	}
	if req.Claims != "" {
		q.Set("claims", req.Claims)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// open hands the URL to the hook or the system browser; with no browser it
// prints the URL to Output and lets the wait go on, or, without Output,
// the credential is unavailable.
func (c *Credential) open(ctx context.Context, authURL string) error {
	if c.opts.OpenURL != nil {
		if err := c.opts.OpenURL(ctx, authURL); err != nil {
			return fmt.Errorf("loopback: OpenURL: %w", err)
		}
		return nil
	}
	err := OpenBrowser(ctx, authURL)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("loopback: opening the browser: %w", context.Cause(ctx))
	}
	if c.opts.Output == nil {
		if errors.Is(err, ErrNoBrowser) {
			return noBrowser(err)
		}
		return fmt.Errorf("loopback: opening the browser: %w", err)
	}
	c.client.Logger().LogAttrs(ctx, slog.LevelInfo, "loopback: no browser opened; printing the URL", slog.String("error", err.Error()))
	if _, werr := fmt.Fprintf(c.opts.Output, "Open this URL in a browser on this computer to sign in:\n\n  %s\n\n", authURL); werr != nil {
		return fmt.Errorf("loopback: no browser opened (%v) and the URL could not be shown: %w", err, werr)
	}
	return nil
}

// randomString is 256 bits from crypto/rand, base64url: 43 characters,
// URL-safe, for state and nonce (unguessable: RFC 6749 section 10.10).
func randomString() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("loopback: reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
