package fakebroker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenJSON is the part of the fake authority's token answer the broker
// reads.
type tokenJSON struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ClientInfo   string `json:"client_info"`

	Error       string `json:"error"`
	Description string `json:"error_description"`
	SubError    string `json:"suberror"`
}

// signIn is the broker's "window": the password grant as user.
func (b *Broker) signIn(ctx context.Context, p *authParams, user string) string {
	form := url.Values{"grant_type": {"password"}, "username": {user}, "password": {b.opts.Password}}
	return b.redeem(ctx, p, form, nil)
}

// silent redeems the refresh token kept for the request's account.
func (b *Broker) silent(ctx context.Context, p *authParams) string {
	var want struct {
		HomeAccountID string `json:"homeAccountId"`
	}
	json.Unmarshal(p.Account, &want)
	b.mu.Lock()
	var acct *account
	for _, a := range b.accounts {
		if want.HomeAccountID != "" && strings.EqualFold(a.home, want.HomeAccountID) {
			acct = a
		}
	}
	var rt string
	if acct != nil {
		rt = acct.refreshToken
	}
	b.mu.Unlock()
	if acct == nil {
		return tokenError(map[string]any{"context": "No account found in the broker for this request.",
			"diagnostics": map[string]any{"exception_type": "com.microsoft.identity.common.exception.UiRequiredException"},
			"status":      2, "subStatus": 0, "errorCode": 0, "tag": 0})
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	return b.redeem(ctx, p, form, acct)
}

// redeem posts a grant to the fake authority and answers the broker's
// brokerTokenResponse, keeping the refresh token.
func (b *Broker) redeem(ctx context.Context, p *authParams, form url.Values, acct *account) string {
	tj, sent, failure := b.grant(ctx, p, form, acct)
	if failure != "" {
		return failure
	}
	obj := b.keep(p, tj, acct)
	var scopesOut any = tj.Scope
	if b.opts.ScopesAsList {
		scopesOut = strings.Fields(tj.Scope)
	}
	return marshal(map[string]any{"brokerTokenResponse": map[string]any{
		"accessToken": tj.AccessToken, "accessTokenType": 0,
		"expiresOn":         sent.Add(time.Duration(tj.ExpiresIn) * time.Second).UnixMilli(),
		"extendedExpiresOn": sent.Add(time.Duration(tj.ExtExpiresIn) * time.Second).UnixMilli(),
		"grantedScopes":     scopesOut, "idToken": tj.IDToken, "clientInfo": tj.ClientInfo, "account": obj,
	}, "telemetry": map[string]any{"broker_version": b.opts.Version}})
}

// grant posts a grant to the fake authority; failure is the broker's
// error answer when it failed. The statuses are those a source shows: 2
// for interaction required (the real broker's, see interactionRequired),
// else 0, the status himmelblau answers every failure with
// (identity_dbus_broker src/himmelblau_broker.rs); which status
// Microsoft's broker gives other failures is not published.
func (b *Broker) grant(ctx context.Context, p *authParams, form url.Values, acct *account) (tj *tokenJSON, sent time.Time, failure string) {
	scopes := append(append([]string(nil), p.RequestedScopes...), "openid", "profile", "offline_access")
	form.Set("client_id", p.ClientID)
	form.Set("scope", strings.Join(dedupe(scopes), " "))
	form.Set("client_info", "1")
	if p.DecodedClaims != "" {
		form.Set("claims", p.DecodedClaims)
	}
	sent = b.opts.Now()
	tj, err := b.post(ctx, tenantOf(p.Authority), form)
	if err != nil {
		return nil, sent, tokenError(map[string]any{"context": "fake broker: " + err.Error(), "status": 0, "subStatus": 0, "errorCode": 0, "tag": 0})
	}
	if tj.Error != "" || tj.AccessToken == "" {
		if b.opts.Mode == Himmelblau {
			return nil, sent, tokenError(map[string]any{"context": "Failed to authenticate user", "status": 0, "subStatus": 0})
		}
		status := 0
		exc := "com.microsoft.identity.common.exception.ServiceException"
		if tj.Error == "interaction_required" || tj.SubError == "basic_action" || strings.Contains(tj.Description, "AADSTS50076") ||
			strings.Contains(tj.Description, "AADSTS50079") || (acct != nil && tj.Error == "invalid_grant") {
			status, exc = 2, "com.microsoft.identity.common.exception.UiRequiredException"
		}
		return nil, sent, tokenError(map[string]any{"context": tj.Description, "status": status, "subStatus": 0, "errorCode": 0, "tag": 0,
			"diagnostics": map[string]any{"raw_error_code": tj.Error, "exception_type": exc, "oauth2_sub_error_code": tj.SubError}})
	}
	return tj, sent, ""
}

// keep stores the account and its refresh token, and returns the account
// object clients get.
func (b *Broker) keep(p *authParams, tj *tokenJSON, acct *account) map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	if acct != nil {
		if tj.RefreshToken != "" {
			acct.refreshToken = tj.RefreshToken
		}
		return acct.obj
	}
	uid, utid := clientInfo(tj.ClientInfo)
	claims := idClaims(tj.IDToken)
	home := uid + "." + utid
	host := "login.microsoftonline.com"
	if u, err := url.Parse(p.Authority); err == nil && u.Host != "" {
		host = u.Host
	}
	obj := map[string]any{"environment": host, "homeAccountId": home, "localAccountId": claims["oid"],
		"realm": claims["tid"], "username": claims["preferred_username"], "name": claims["name"],
		"givenName": claims["name"], "passwordExpiry": 0, "clientInfo": tj.ClientInfo}
	for i, a := range b.accounts {
		if strings.EqualFold(a.home, home) {
			b.accounts = append(b.accounts[:i], b.accounts[i+1:]...)
			break
		}
	}
	b.accounts = append(b.accounts, &account{obj: obj, home: home, clientID: p.ClientID, refreshToken: tj.RefreshToken})
	return obj
}

func (b *Broker) post(ctx context.Context, tenant string, form url.Values) (*tokenJSON, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	u := b.opts.AuthorityURL + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var tj tokenJSON
	if err := json.Unmarshal(body, &tj); err != nil {
		return nil, err
	}
	return &tj, nil
}

func tokenError(e map[string]any) string {
	return marshal(map[string]any{"brokerTokenResponse": map[string]any{"accessTokenType": 0, "error": e,
		"expiresOn": 0, "extendedExpiresOn": 0}})
}

// tenantOf is the authority's tenant; the password grant is refused on
// "common", so the broker signs in through "organizations" then.
func tenantOf(authority string) string {
	u, err := url.Parse(authority)
	t := ""
	if err == nil {
		t = strings.Trim(u.Path, "/")
	}
	if t == "" || strings.EqualFold(t, "common") || strings.Contains(t, "/") {
		return "organizations"
	}
	return t
}

func clientInfo(raw string) (uid, utid string) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
	if err != nil {
		return "", ""
	}
	var ci struct{ UID, UTID string }
	json.Unmarshal(b, &ci)
	return ci.UID, ci.UTID
}

// idClaims decodes the ID token's payload for the account object (the
// client verifies the token itself; the broker only describes it).
func idClaims(jwt string) map[string]any {
	parts := strings.Split(jwt, ".")
	out := map[string]any{}
	if len(parts) != 3 {
		return out
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err == nil {
		json.Unmarshal(b, &out)
	}
	return out
}

func dedupe(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		if k := strings.ToLower(s); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}
