package fakeauthority

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// tokenResponse is Entra's token-endpoint success JSON.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	RefreshIn    int64  `json:"refresh_in,omitempty"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	ClientInfo   string `json:"client_info,omitempty"`
	Foci         string `json:"foci,omitempty"`
}

// grant is everything needed to issue tokens to one user for one app.
type grant struct {
	app        App
	user       User
	tid        string // tenant the tokens are for
	scopes     scopeSet
	nonce      string
	clientInfo bool   // client_info=1 was sent
	claims     string // the claims request parameter, JSON
}

// refreshToken is an issued refresh token.
type refreshToken struct {
	ClientID string    `json:"client_id"`
	FamilyID string    `json:"family_id,omitempty"`
	Username string    `json:"username"`
	TenantID string    `json:"tenant_id"`
	Issued   time.Time `json:"issued"`
	Redeemed bool      `json:"redeemed,omitempty"`
	Revoked  bool      `json:"revoked,omitempty"`
}

// checkApp finds the app and checks it may sign in to tenant ti.
func (a *Authority) checkApp(clientID string, ti tenantInfo) (App, *entraError) {
	if clientID == "" {
		return App{}, &entraError{code: 900144, detail: "'client_id'"}
	}
	app, ok := a.dir.app(clientID)
	if !ok {
		return app, &entraError{code: 700016, detail: "Application with identifier '" + clientID + "' was not found."}
	}
	if app.TenantID != "" {
		if ti.multi {
			return app, &entraError{code: 50194}
		}
		if !strings.EqualFold(app.TenantID, ti.id) {
			return app, &entraError{code: 700016, detail: "Application with identifier '" + clientID + "' was not found in the directory '" + ti.id + "'."}
		}
	}
	return app, nil
}

// tokenTenant is the tenant tokens for u are issued in when the request
// went to ti; the fake has no guest accounts, so a user of another
// tenant is refused (AADSTS50020).
func tokenTenant(ti tenantInfo, u User) (string, *entraError) {
	if ti.multi {
		return u.TenantID, nil
	}
	if !strings.EqualFold(ti.id, u.TenantID) {
		return "", &entraError{code: 50020, detail: "User account '" + u.Username + "' does not exist in tenant '" + ti.id + "'."}
	}
	return ti.id, nil
}

// issue writes a token response for g, taking client_info and claims from
// the request.
func (a *Authority) issue(w http.ResponseWriter, r *http.Request, rc *reqCtx, g grant) {
	g.clientInfo = r.PostForm.Get(clientInfoParam) == "1"
	g.claims = r.PostForm.Get("claims")
	if g.claims != "" && !json.Valid([]byte(g.claims)) {
		a.writeError(w, r, rc, entraError{code: 9002313, detail: "The claims parameter is not valid JSON."})
		return
	}
	resp, err := a.mint(rc, g)
	if err == nil && r.PostForm.Get("token_type") == "ssh-cert" {
		if e := a.sshCertResponse(r.PostForm, g, resp); e != nil {
			a.writeError(w, r, rc, *e)
			return
		}
	}
	var out any
	if err == nil {
		out, err = a.applyTokenHook(resp)
	}
	if err != nil {
		a.writeError(w, r, rc, entraError{code: 90033, detail: err.Error(), status: http.StatusInternalServerError})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// mint makes the tokens of g and stores its refresh token.
func (a *Authority) mint(rc *reqCtx, g grant) (*tokenResponse, error) {
	now := a.now()
	life := a.accessTokenLifetime()
	granted := a.grantedScopes(g.app, g.scopes)
	resp := &tokenResponse{
		TokenType: "Bearer", Scope: strings.Join(granted, " "),
		ExpiresIn: int64(life / time.Second), ExtExpiresIn: int64(life / time.Second),
		RefreshIn: int64(a.refreshIn(life) / time.Second), Foci: g.app.FamilyID,
	}
	at, err := a.accessToken(rc, g, scpClaim(granted, g.scopes), now, life)
	if err != nil {
		return nil, err
	}
	resp.AccessToken = at
	if g.scopes.openid {
		claims := a.idClaims(rc, g, now)
		a.mu.Lock()
		m := a.misbehave
		a.mu.Unlock()
		if resp.IDToken, err = a.signIDToken(claims, m, now, rc.base); err != nil {
			return nil, err
		}
	}
	if g.scopes.offline {
		resp.RefreshToken = a.storeRefreshToken(g, now)
	}
	if g.clientInfo {
		ci, _ := json.Marshal(map[string]string{"uid": g.user.ObjectID, "utid": g.user.TenantID})
		resp.ClientInfo = base64.RawURLEncoding.EncodeToString(ci)
	}
	return resp, nil
}

// Entra's default access-token lifetime is a random value between 60 and
// 90 minutes (https://learn.microsoft.com/en-us/entra/identity-platform/configurable-token-lifetimes#access-tokens).
const (
	minLifetime = 60 * time.Minute
	maxLifetime = 90 * time.Minute
)

// accessTokenLifetime is Options.AccessTokenLifetime, else a random
// whole number of seconds in [minLifetime, maxLifetime], as Entra.
func (a *Authority) accessTokenLifetime() time.Duration {
	if a.opts.AccessTokenLifetime > 0 {
		return a.opts.AccessTokenLifetime
	}
	span := int64((maxLifetime - minLifetime) / time.Second)
	return minLifetime + time.Duration(rand.Int64N(span+1))*time.Second
}

// refreshIn is Options.RefreshIn, else Entra's rule: half the lifetime,
// only for lifetimes of two hours or more.
func (a *Authority) refreshIn(life time.Duration) time.Duration {
	if a.opts.RefreshIn > 0 {
		return a.opts.RefreshIn
	}
	if life >= 2*time.Hour {
		return life / 2
	}
	return 0
}

// accessToken is a JWT for the resource, signed by the active key.
func (a *Authority) accessToken(rc *reqCtx, g grant, scp string, now time.Time, life time.Duration) (string, error) {
	claims := map[string]any{
		"aud": g.scopes.resource.URI, "iss": rc.issuer(g.tid), "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(life).Unix(), "azp": g.app.ClientID, "azpacr": "0", "name": g.user.DisplayName,
		"oid": g.user.ObjectID, "preferred_username": g.user.Username, "scp": scp,
		"sub": pairwiseSub(g.user.ObjectID, g.scopes.resource.URI), "tid": g.tid, "uti": randomID(16), "ver": "2.0",
	}
	addRequestedClaims(claims, g.claims)
	a.mu.Lock()
	signer := a.keys.active()
	a.mu.Unlock()
	return signJWT(claims, signer.Private, algRS256, signer.KID, nil)
}

// claimsRequest is the part of a claims request parameter the fake reads.
type claimsRequest struct {
	AccessToken struct {
		XMSCC *struct {
			Values []string `json:"values"`
		} `json:"xms_cc"`
		ACRS *struct {
			Value  string   `json:"value"`
			Values []string `json:"values"`
		} `json:"acrs"`
	} `json:"access_token"`
}

// addRequestedClaims copies client capabilities (xms_cc, e.g. cp1 for
// CAE) and a satisfied authentication context (acrs) from the claims
// request into the access token, as Entra does when it can satisfy them.
func addRequestedClaims(claims map[string]any, request string) {
	var cr claimsRequest
	if request == "" || json.Unmarshal([]byte(request), &cr) != nil {
		return
	}
	if x := cr.AccessToken.XMSCC; x != nil && len(x.Values) > 0 {
		claims["xms_cc"] = x.Values
	}
	if x := cr.AccessToken.ACRS; x != nil {
		acrs := x.Values
		if x.Value != "" {
			acrs = append(acrs, x.Value)
		}
		claims["acrs"] = acrs
	}
}

// idClaims are the v2.0 ID token claims of g.
func (a *Authority) idClaims(rc *reqCtx, g grant, now time.Time) map[string]any {
	c := map[string]any{
		"aud": g.app.ClientID, "iss": rc.issuer(g.tid), "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "name": g.user.DisplayName, "oid": g.user.ObjectID,
		"preferred_username": g.user.Username, "sub": pairwiseSub(g.user.ObjectID, g.app.ClientID),
		"tid": g.tid, "ver": "2.0", "uti": randomID(16), "rh": "0.fake",
	}
	if g.nonce != "" {
		c["nonce"] = g.nonce
	}
	return c
}

// pairwiseSub is a stable per-app subject, as Entra's pairwise sub.
func pairwiseSub(oid, app string) string {
	h := sha256.Sum256([]byte(oid + "|" + app))
	return base64.RawURLEncoding.EncodeToString(h[:24])
}

// storeRefreshToken issues and records a refresh token for g.
func (a *Authority) storeRefreshToken(g grant, now time.Time) string {
	tok := "fake.rt." + randomID(32)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refresh[tok] = &refreshToken{
		ClientID: g.app.ClientID, FamilyID: g.app.FamilyID, Username: g.user.Username,
		TenantID: g.user.TenantID, Issued: now,
	}
	return tok
}

// RevokeRefreshTokens revokes every refresh token of username, as a
// password reset or an admin's "revoke sessions" does: using one answers
// invalid_grant AADSTS50173.
func (a *Authority) RevokeRefreshTokens(username string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, rt := range a.refresh {
		if strings.EqualFold(rt.Username, username) && !rt.Revoked {
			rt.Revoked = true
			n++
		}
	}
	return n
}

// refreshLifetime is Options.RefreshTokenLifetime, default 90 days.
func (a *Authority) refreshLifetime() time.Duration {
	if a.opts.RefreshTokenLifetime > 0 {
		return a.opts.RefreshTokenLifetime
	}
	return 90 * 24 * time.Hour
}
