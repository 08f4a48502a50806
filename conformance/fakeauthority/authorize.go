package fakeauthority

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// authRequest is an /authorize request waiting for the user to sign in.
type authRequest struct {
	ClientID, RedirectURI, ResponseMode, State, Scope string
	Nonce, Challenge, ChallengeMethod, Claims         string
	LoginHint, Prompt, Tenant                         string
	ClientInfo                                        bool
	Expires                                           time.Time
}

// authCode is an issued authorization code.
type authCode struct {
	ClientID, RedirectURI, Challenge, ChallengeMethod string
	Scope, Nonce, Username, Tenant                    string
	Expires                                           time.Time
	Redeemed                                          bool
}

// codeLifetime is Entra's authorization code lifetime.
const codeLifetime = 10 * time.Minute

// handleAuthorize serves /{tenant}/oauth2/v2.0/authorize. Errors about the
// client or redirect URI are shown as a page (Entra never redirects to an
// unverified URI); every other error goes back to the redirect URI.
func (a *Authority) handleAuthorize(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.Form
	req := &authRequest{
		ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), ResponseMode: q.Get("response_mode"),
		State: q.Get("state"), Scope: q.Get("scope"), Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"),
		ChallengeMethod: q.Get("code_challenge_method"), Claims: q.Get("claims"), LoginHint: q.Get("login_hint"),
		Prompt: q.Get("prompt"), Tenant: rc.tenant, ClientInfo: q.Get("client_info") == "1",
	}
	if code, detail := a.checkClientAndRedirect(req); code != 0 {
		writeHTMLError(w, http.StatusBadRequest, "Sorry, but we're having trouble signing you in.", aadstsMessage(code, detail))
		return
	}
	if e := a.checkAuthorizeParams(req, q.Get("response_type")); e != nil {
		a.redirectError(w, r, rc, req, *e)
		return
	}
	if a.opts.AutoApprove {
		a.signIn(w, r, rc, req, a.autoUser(req.LoginHint))
		return
	}
	if req.Prompt == "none" {
		if u, ok := a.silentUser(r, req.LoginHint); ok {
			a.signIn(w, r, rc, req, u)
			return
		}
		a.redirectError(w, r, rc, req, entraError{code: 50058, err: "login_required"})
		return
	}
	id := randomID(24)
	req.Expires = a.now().Add(codeLifetime)
	a.mu.Lock()
	for k, p := range a.pendingAuth { // forget abandoned sign-ins
		if p.Expires.Before(req.Expires.Add(-codeLifetime)) {
			delete(a.pendingAuth, k)
		}
	}
	a.pendingAuth[id] = req
	a.mu.Unlock()
	a.renderSignIn(w, signInPage{Action: rc.base + "/" + rc.tenant + "/login", Hidden: map[string]string{"ctx": id},
		Username: req.LoginHint, ClientID: req.ClientID, Scope: req.Scope})
}

// checkClientAndRedirect validates what must be right before Entra will
// redirect: the tenant, the client and its redirect URI.
func (a *Authority) checkClientAndRedirect(req *authRequest) (int, string) {
	ti, ok := a.resolveTenant(req.Tenant)
	if !ok {
		return 90002, "Tenant '" + req.Tenant + "' not found."
	}
	app, e := a.checkApp(req.ClientID, ti)
	if e != nil {
		return e.code, e.detail
	}
	if req.RedirectURI == "" {
		return 900144, "'redirect_uri'"
	}
	if !matchRedirect(app, req.RedirectURI) {
		return 50011, "The redirect URI '" + req.RedirectURI + "' does not match the redirect URIs configured for the application '" + app.ClientID + "'."
	}
	return 0, ""
}

// checkAuthorizeParams validates the parameters whose errors are
// redirected: response type and mode, scope, PKCE (S256 required), prompt.
func (a *Authority) checkAuthorizeParams(req *authRequest, responseType string) *entraError {
	switch {
	case responseType != "code":
		return &entraError{code: 9002313, err: "unsupported_response_type", detail: "The fake authority supports response_type=code only."}
	case req.ResponseMode != "" && req.ResponseMode != "query" && req.ResponseMode != "form_post" && req.ResponseMode != "fragment":
		return &entraError{code: 9002313, detail: "response_mode '" + req.ResponseMode + "' is not supported."}
	case req.Scope == "":
		e := missingParam("scope")
		return &e
	case req.Challenge == "":
		return &entraError{code: 9002313, detail: "PKCE is required: code_challenge is missing."}
	case req.ChallengeMethod != "S256":
		return &entraError{code: 9002313, detail: "code_challenge_method must be S256; got '" + req.ChallengeMethod + "'."}
	case !validPrompt(req.Prompt):
		return &entraError{code: 9002313, detail: "prompt '" + req.Prompt + "' is not supported."}
	}
	for _, sc := range strings.Fields(req.Scope) { // /authorize may name several resources
		if _, e := a.parseScopes(sc); e != nil {
			return e
		}
	}
	if req.Claims != "" && !json.Valid([]byte(req.Claims)) {
		return &entraError{code: 9002313, detail: "The claims parameter is not valid JSON."}
	}
	return nil
}

func validPrompt(p string) bool {
	switch p {
	case "", "login", "none", "consent", "select_account", "create":
		return true
	}
	return false
}

// handleLogin serves POST /{tenant}/login, the sign-in form's target.
func (a *Authority) handleLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	id := r.PostForm.Get("ctx")
	a.mu.Lock()
	req, ok := a.pendingAuth[id]
	a.mu.Unlock()
	if r.Method != http.MethodPost || !ok || a.now().After(req.Expires) {
		writeHTMLError(w, http.StatusBadRequest, "Sorry, but we're having trouble signing you in.", "The sign-in session was not found or has expired. Start again from the application.")
		return
	}
	if r.PostForm.Get("action") == "cancel" || r.PostForm.Get("consent") != "yes" {
		a.forgetAuth(id)
		a.redirectError(w, r, rc, req, entraError{code: 65004, err: "access_denied"})
		return
	}
	u, msg := a.checkInteractive(r.PostForm.Get("username"), r.PostForm.Get("password"), req.Tenant)
	if msg != "" {
		a.renderSignIn(w, signInPage{Action: rc.base + "/" + rc.tenant + "/login", Hidden: map[string]string{"ctx": id},
			Username: r.PostForm.Get("username"), ClientID: req.ClientID, Scope: req.Scope, Error: msg})
		return
	}
	a.forgetAuth(id)
	a.startSession(w, r, u.Username)
	a.signIn(w, r, rc, req, u.Username)
}

func (a *Authority) forgetAuth(id string) {
	a.mu.Lock()
	delete(a.pendingAuth, id)
	a.mu.Unlock()
}

// checkInteractive checks credentials typed on a page; msg is what the
// page shows when they are wrong.
func (a *Authority) checkInteractive(username, password, tenant string) (User, string) {
	u, ok := a.dir.user(username)
	if !ok || u.Password != password || u.Federated {
		return u, aadstsMessage(50126, "")
	}
	ti, _ := a.resolveTenant(tenant)
	if _, e := tokenTenant(ti, u); e != nil {
		return u, aadstsMessage(e.code, e.detail)
	}
	return u, ""
}

// signIn issues a code for username and sends it to the redirect URI.
func (a *Authority) signIn(w http.ResponseWriter, r *http.Request, rc *reqCtx, req *authRequest, username string) {
	u, ok := a.dir.user(username)
	ti, _ := a.resolveTenant(req.Tenant)
	if !ok {
		a.redirectError(w, r, rc, req, entraError{code: 50034, err: "access_denied"})
		return
	}
	if _, e := tokenTenant(ti, u); e != nil {
		e.err = "access_denied"
		a.redirectError(w, r, rc, req, *e)
		return
	}
	code := "fake.code." + randomID(32)
	a.mu.Lock()
	now := a.opts.Now().Add(a.offset)
	for k, c := range a.codes { // expired codes need no memory: redeeming one is "not issued" either way
		if now.After(c.Expires.Add(codeLifetime)) {
			delete(a.codes, k)
		}
	}
	a.codes[code] = &authCode{ClientID: req.ClientID, RedirectURI: req.RedirectURI, Challenge: req.Challenge,
		ChallengeMethod: req.ChallengeMethod, Scope: req.Scope, Nonce: req.Nonce, Username: u.Username,
		Tenant: req.Tenant, Expires: now.Add(codeLifetime)}
	a.mu.Unlock()
	p := url.Values{"code": {code}, "session_state": {newUUID()}}
	if req.ClientInfo {
		ci, _ := json.Marshal(map[string]string{"uid": u.ObjectID, "utid": u.TenantID})
		p.Set("client_info", base64.RawURLEncoding.EncodeToString(ci))
	}
	a.deliver(w, req, p)
}

// redirectError sends an error to the redirect URI, Entra's way.
func (a *Authority) redirectError(w http.ResponseWriter, r *http.Request, rc *reqCtx, req *authRequest, e entraError) {
	_, b := e.body(r, rc, a.now())
	p := url.Values{"error": {b.Error}, "error_description": {b.Description}, "error_uri": {b.ErrorURI}}
	if e.code == 65004 {
		p.Set("error_subcode", "cancel")
	}
	a.deliver(w, req, p)
}

// deliver sends parameters (plus state) to the redirect URI by the
// request's response_mode: a 302 with a query (default) or fragment, or
// an auto-submitting form for form_post.
func (a *Authority) deliver(w http.ResponseWriter, req *authRequest, p url.Values) {
	if req.State != "" {
		p.Set("state", req.State)
	}
	a.applyRedirectHook(p)
	w.Header().Set("Cache-Control", "no-store, no-cache")
	switch req.ResponseMode {
	case "form_post":
		hidden := map[string]string{}
		for k := range p {
			hidden[k] = p.Get(k)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageFormPost.Execute(w, formPostPage{Action: req.RedirectURI, Hidden: hidden})
	case "fragment":
		w.Header().Set("Location", req.RedirectURI+"#"+p.Encode())
		w.WriteHeader(http.StatusFound)
	default:
		sep := "?"
		if strings.Contains(req.RedirectURI, "?") {
			sep = "&"
		}
		w.Header().Set("Location", req.RedirectURI+sep+p.Encode())
		w.WriteHeader(http.StatusFound)
	}
}
