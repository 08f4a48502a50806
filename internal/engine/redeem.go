package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

// Interactive is a flow's own sign-in step. The engine calls it only when
// no cached or refreshable token serves the request, and never when
// DisableAutomaticAuthentication is set (then GetToken returns
// *AuthenticationRequiredError).
type Interactive func(ctx context.Context, req *InteractiveRequest) (*TokenResult, error)

// InteractiveRequest is what the engine asks of a flow's sign-in step.
type InteractiveRequest struct {
	// Scopes is the "scope" to send, with openid profile offline_access
	// already added.
	Scopes []string
	// Claims is the "claims" to send (the challenge merged with the
	// client capabilities); "" for none.
	Claims string
	// TenantID is the tenant this request is for.
	TenantID string
	// Endpoints are the URLs for that tenant.
	Endpoints Endpoints
	// LoginHint is the username of the AuthenticationRecord's (or the
	// signed-in) account, if any.
	LoginHint string

	auth Authority      // the authority Endpoints came from
	acct *oauth.Account // the account being served, when known (a refresh must stay on it)
}

// Authority returns the authority the request's Endpoints came from.
func (r *InteractiveRequest) Authority() Authority { return r.auth }

// oidcScopes are added to every request: openid (ID token), profile
// (client_info, names), offline_access (refresh token).
var oidcScopes = []string{"openid", "profile", "offline_access"}

// withOIDCScopes returns scopes plus any of the OIDC scopes missing
// (compared case-insensitively), in order.
func withOIDCScopes(scopes []string) []string {
	out := make([]string, 0, len(scopes)+3)
	out = append(out, scopes...)
	for _, s := range oidcScopes {
		if !containsFold(scopes, s) {
			out = append(out, s)
		}
	}
	return out
}

// mergeClaims merges a claims challenge with the client capabilities
// ("cp1" when cae): {"access_token":{"xms_cc":{"values":["cp1"]}}}.
// challenge may be the JSON or its base64 form from WWW-Authenticate.
func mergeClaims(challenge string, cae bool) (string, error) {
	if challenge == "" && !cae {
		return "", nil
	}
	if !cae && strings.HasPrefix(strings.TrimLeft(challenge, " \t\r\n"), "{") && json.Valid([]byte(challenge)) {
		return challenge, nil // a JSON object with nothing to add: sent as given
	}
	m := map[string]any{}
	if challenge != "" {
		if err := json.Unmarshal([]byte(challenge), &m); err != nil {
			dec, derr := base64.StdEncoding.DecodeString(challenge)
			if derr != nil {
				dec, derr = base64.RawURLEncoding.DecodeString(strings.TrimRight(challenge, "="))
			}
			m = map[string]any{}
			if derr != nil || json.Unmarshal(dec, &m) != nil {
				return "", oauth.ErrInvalidClaims
			}
		}
	}
	if cae {
		at, _ := m["access_token"].(map[string]any)
		if at == nil {
			at = map[string]any{}
		}
		at["xms_cc"] = map[string]any{"values": []string{"cp1"}}
		m["access_token"] = at
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", oauth.ErrInvalidClaims
	}
	return string(b), nil
}

// RedeemToken posts form (grant_type and that grant's own fields, e.g.
// device_code, or code + code_verifier + redirect_uri) to
// req.Endpoints.Token, adding client_id, scope, client_info=1 and claims;
// returns the *TokenResult with its ID token validated (nonce checked when
// nonce != "") and its Account, or an *Error (Entra's error JSON, or
// ErrInvalidResponse for unreadable bodies). The key set is fetched in
// parallel with the token request.
func (c *Client) RedeemToken(ctx context.Context, req *InteractiveRequest, form url.Values, nonce string) (*TokenResult, error) {
	auth := req.auth
	if auth.Host == "" {
		var err error
		if auth, err = c.resolveTenant(req.TenantID); err != nil {
			return nil, err
		}
	}
	if _, err := c.discoverInstance(ctx, auth); err != nil {
		return nil, err
	}
	tokenURL := req.Endpoints.Token
	if tokenURL == "" {
		tokenURL = c.endpoints(auth).Token
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("client_id", c.clientID)
	f.Set("client_info", "1")
	if len(req.Scopes) > 0 {
		f.Set("scope", strings.Join(withOIDCScopes(req.Scopes), " "))
	}
	if req.Claims != "" {
		f.Set("claims", req.Claims)
	}
	c.keySet(c.endpoints(auth).Keys).prefetch(ctx, c.cache, c.authorityString(auth), &c.wire.conns)
	c.prefetchTenant(ctx, auth)
	now := time.Now()
	resp, err := c.wire.do(ctx, "token", http.MethodPost, tokenURL, f)
	if err != nil {
		return nil, err
	}
	res, err := parseTokenResponse("token", resp.status, resp.body, now, req.Scopes, f.Get("token_type"))
	if err != nil {
		c.logError(ctx, err)
		return nil, err
	}
	prev := c.verified.Load() // the ID token a refresh replaces, if this client verified it
	if err := c.complete(ctx, auth, res, nonce); err != nil {
		return nil, err
	}
	if f.Get("grant_type") == "refresh_token" && req.acct != nil {
		if err := c.sameUser(ctx, auth, req.acct, res, prev); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// complete validates res's ID token and builds its Account from it, for
// results from RedeemToken and from flows (brokers) that obtained tokens
// another way. openid is requested on every sign-in and refresh, so a
// response without an ID token is refused (OIDC Core 3.1.3.3): the
// identity is only what the authority signed. A result's Claims and
// Account as a flow returned them are not trusted: the ID token is
// verified again here and the account rebuilt from it.
func (c *Client) complete(ctx context.Context, auth Authority, res *TokenResult, nonce string) error {
	if res.IDToken == "" {
		return idTokenError("the response has no id_token although openid was requested")
	}
	claims, err := c.verifiedClaims(ctx, res.IDToken, auth, nonce)
	if err != nil {
		return err
	}
	res.Claims = claims
	acct, err := accountFor(auth, res.ClientInfo, claims)
	if err != nil {
		return err
	}
	if err := c.bound.check(acct); err != nil {
		return err
	}
	res.Account = acct
	return nil
}

// verifiedToken is an ID token this client verified, and its claims.
type verifiedToken struct {
	raw, authority, nonce string
	claims                *IDTokenClaims
}

// verifiedClaims verifies raw, or returns the claims of the same token
// verified a moment ago for the same authority (a flow's RedeemToken,
// then the engine's check of the flow's result), so a sign-in verifies
// its ID token once. A nonce asked for now must be the one checked then,
// and the token must not have expired since.
func (c *Client) verifiedClaims(ctx context.Context, raw string, auth Authority, nonce string) (*IDTokenClaims, error) {
	if v := c.verified.Load(); v != nil && v.raw == raw && v.authority == c.authorityString(auth) && (nonce == "" || nonce == v.nonce) &&
		!time.Now().After(v.claims.Expiry.Add(clockSkew)) {
		cl := *v.claims
		return &cl, nil
	}
	claims, err := c.verifyIDToken(ctx, raw, auth, nonce)
	if err != nil {
		return nil, err
	}
	cl := *claims
	c.verified.Store(&verifiedToken{raw: raw, authority: c.authorityString(auth), nonce: nonce, claims: &cl})
	return claims, nil
}

func (c *Client) logError(ctx context.Context, err error) {
	var oe *oauth.Error
	if errors.As(err, &oe) {
		c.log.LogAttrs(ctx, slog.LevelInfo, "oauth: token request refused",
			slog.String("code", oe.Code), attrInts("aadsts", oe.AADSTS),
			slog.String("correlation_id", oe.CorrelationID), slog.String("trace_id", oe.TraceID),
			slog.Int("status", oe.StatusCode))
	}
}
