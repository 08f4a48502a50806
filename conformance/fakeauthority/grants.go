package fakeauthority

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Grant types the token endpoint accepts. Entra accepts the short
// "device_code" that MSAL Go and MSAL.NET send, and the RFC 8628 URN.
const (
	grantAuthCode   = "authorization_code"
	grantRefresh    = "refresh_token"
	grantPassword   = "password"
	grantDevice     = "device_code"
	grantDeviceURN  = "urn:ietf:params:oauth:grant-type:device_code"
	clientInfoParam = "client_info"
)

// handleToken serves POST /{tenant}/oauth2/v2.0/token.
func (a *Authority) handleToken(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if r.Method != http.MethodPost {
		a.writeError(w, r, rc, entraError{code: 9002313, detail: "The token endpoint accepts only POST."})
		return
	}
	ti, ok := a.resolveTenant(rc.tenant)
	if !ok {
		a.writeError(w, r, rc, entraError{code: 90002, detail: "Tenant '" + rc.tenant + "' not found."})
		return
	}
	if r.PostForm.Has("client_secret") || r.PostForm.Has("client_assertion") {
		a.writeError(w, r, rc, entraError{code: 700025})
		return
	}
	app, e := a.checkApp(r.PostForm.Get("client_id"), ti)
	if e != nil {
		a.writeError(w, r, rc, *e)
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case grantPassword:
		a.grantPassword(w, r, rc, ti, app)
	case grantRefresh:
		a.grantRefresh(w, r, rc, ti, app)
	case grantDevice, grantDeviceURN:
		a.grantDevice(w, r, rc, ti, app)
	case grantAuthCode:
		a.grantAuthCode(w, r, rc, ti, app)
	case "":
		a.writeError(w, r, rc, missingParam("grant_type"))
	default:
		a.writeError(w, r, rc, entraError{code: 70003, detail: "Grant type '" + gt + "' is not supported."})
	}
}

// required returns the named form fields, or the error for the first one
// missing.
func required(r *http.Request, names ...string) ([]string, *entraError) {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = r.PostForm.Get(n)
		if out[i] == "" {
			e := missingParam(n)
			return nil, &e
		}
	}
	return out, nil
}

// grantPassword is ROPC: managed users only, no MFA, not on /common or
// /consumers, public-client flows allowed.
func (a *Authority) grantPassword(w http.ResponseWriter, r *http.Request, rc *reqCtx, ti tenantInfo, app App) {
	v, e := required(r, "username", "password", "scope")
	if e == nil && (strings.EqualFold(rc.tenant, "common") || ti.id == msaTenantID) {
		e = &entraError{code: 9001023}
	}
	if e == nil && !app.PublicClient {
		e = &entraError{code: 7000218}
	}
	var scopes scopeSet
	if e == nil {
		scopes, e = a.parseScopes(v[2])
	}
	var u User
	if e == nil {
		u, e = a.checkPassword(v[0], v[1])
	}
	var tid string
	if e == nil {
		tid, e = tokenTenant(ti, u)
	}
	if e == nil && u.MFARequired {
		e = &entraError{code: 50076, detail: "Resource: '" + scopes.resource.URI + "'.",
			claims: `{"access_token":{"capolids":{"essential":true,"values":["` + mfaPolicyID + `"]}}}`}
	}
	if e != nil {
		a.writeError(w, r, rc, *e)
		return
	}
	a.issue(w, r, rc, grant{app: app, user: u, tid: tid, scopes: scopes})
}

// mfaPolicyID is the conditional-access policy ID in MFA claims challenges.
const mfaPolicyID = "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d"

// checkPassword authenticates a user; federated users cannot be
// authenticated by password here (the fake speaks no WS-Trust).
func (a *Authority) checkPassword(username, password string) (User, *entraError) {
	u, ok := a.dir.user(username)
	if !ok {
		return u, &entraError{code: 50034, detail: "User '" + username + "' was not found."}
	}
	if u.Federated {
		return u, &entraError{code: 50126, detail: "The user is federated; the fake authority does not validate federated passwords."}
	}
	if u.Password != password {
		return u, &entraError{code: 50126}
	}
	return u, nil
}

// grantRefresh redeems a refresh token: scope required, rotation on every
// use, reuse accepted as Entra does unless Options.RejectRefreshTokenReuse,
// family refresh tokens accepted from every member of the family.
func (a *Authority) grantRefresh(w http.ResponseWriter, r *http.Request, rc *reqCtx, ti tenantInfo, app App) {
	v, e := required(r, "refresh_token", "scope")
	var scopes scopeSet
	if e == nil { // before the token is marked redeemed
		scopes, e = a.parseScopes(v[1])
	}
	if e == nil && r.PostForm.Get("token_type") == "ssh-cert" {
		_, _, e = sshCertRequest(r.PostForm)
	}
	if c := r.PostForm.Get("claims"); e == nil && c != "" && !json.Valid([]byte(c)) {
		e = &entraError{code: 9002313, detail: "The claims parameter is not valid JSON."}
	}
	var rt refreshToken
	if e == nil {
		rt, e = a.checkRefreshToken(v[0], app)
	}
	var u User
	if e == nil {
		var ok bool
		if u, ok = a.dir.user(rt.Username); !ok {
			e = &entraError{code: 50173, detail: "The user no longer exists."}
		}
	}
	var tid string
	if e == nil {
		tid, e = tokenTenant(ti, u)
	}
	if e == nil { // only a request that is answered with tokens redeems it
		e = a.redeemRefreshToken(v[0])
	}
	if e != nil {
		a.writeError(w, r, rc, *e)
		return
	}
	a.issue(w, r, rc, grant{app: app, user: u, tid: tid, scopes: scopes})
}

// checkRefreshToken validates a refresh token for app without using it.
func (a *Authority) checkRefreshToken(tok string, app App) (refreshToken, *entraError) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	rt, ok := a.refresh[tok]
	switch {
	case !ok:
		return refreshToken{}, &entraError{code: 9002313, err: "invalid_grant", detail: "The refresh token is malformed or was not issued by this authority."}
	case rt.Revoked:
		return *rt, &entraError{code: 50173}
	case now.Sub(rt.Issued) > a.refreshLifetime():
		return *rt, &entraError{code: 700082, detail: "The token was issued on " + rt.Issued.UTC().Format("2006-01-02T15:04:05Z") + "."}
	case rt.Redeemed && a.opts.RejectRefreshTokenReuse:
		return *rt, errAlreadyRedeemed()
	case !strings.EqualFold(rt.ClientID, app.ClientID) && (rt.FamilyID == "" || rt.FamilyID != app.FamilyID):
		return *rt, &entraError{code: 70000, sub: "client_mismatch", detail: "The refresh token was issued to a different client."}
	}
	return *rt, nil
}

// redeemRefreshToken marks a checked refresh token redeemed; under
// RejectRefreshTokenReuse a concurrent request that redeemed it since
// the check wins, and this one is refused.
func (a *Authority) redeemRefreshToken(tok string) *entraError {
	a.mu.Lock()
	defer a.mu.Unlock()
	rt, ok := a.refresh[tok]
	if !ok {
		return &entraError{code: 9002313, err: "invalid_grant", detail: "The refresh token is malformed or was not issued by this authority."}
	}
	if rt.Redeemed && a.opts.RejectRefreshTokenReuse {
		return errAlreadyRedeemed()
	}
	rt.Redeemed = true
	return nil
}

func errAlreadyRedeemed() *entraError {
	return &entraError{code: 70000, detail: "The refresh token was already redeemed (the authority rejects reuse in this test)."}
}
