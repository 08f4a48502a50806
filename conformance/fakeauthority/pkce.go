package fakeauthority

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// grantAuthCode redeems an authorization code: single use, bound to the
// client and redirect URI, ten minutes, PKCE S256 verified.
func (a *Authority) grantAuthCode(w http.ResponseWriter, r *http.Request, rc *reqCtx, ti tenantInfo, app App) {
	v, e := required(r, "code", "redirect_uri")
	var c authCode
	if e == nil {
		c, e = a.takeCode(v[0], app.ClientID, v[1], r.PostForm.Get("code_verifier"))
	}
	var scopes scopeSet
	if e == nil {
		scope := r.PostForm.Get("scope")
		if scope == "" {
			scope = c.Scope
		}
		scopes, e = a.parseScopes(scope)
	}
	var u User
	if e == nil {
		var ok bool
		if u, ok = a.dir.user(c.Username); !ok {
			e = &entraError{code: 50034}
		}
	}
	var tid string
	if e == nil {
		tid, e = tokenTenant(ti, u)
	}
	if e != nil {
		a.writeError(w, r, rc, *e)
		return
	}
	a.issue(w, r, rc, grant{app: app, user: u, tid: tid, scopes: scopes, nonce: c.Nonce})
}

// takeCode checks and burns a code. Any redemption attempt by the code's
// client burns it, so a wrong verifier cannot be retried.
func (a *Authority) takeCode(code, clientID, redirectURI, verifier string) (authCode, *entraError) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.codes[code]
	switch {
	case !ok:
		return authCode{}, &entraError{code: 70000, detail: "The authorization code was not issued by this authority."}
	case !strings.EqualFold(c.ClientID, clientID):
		return authCode{}, &entraError{code: 70000, detail: "The authorization code was issued to another client."}
	case c.Redeemed:
		return authCode{}, &entraError{code: 54005}
	}
	c.Redeemed = true
	switch {
	case !now.Before(c.Expires):
		return authCode{}, &entraError{code: 70008}
	case c.RedirectURI != redirectURI:
		return authCode{}, &entraError{code: 500112}
	case !verifierMatches(verifier, c.Challenge):
		return authCode{}, &entraError{code: 501481}
	}
	return *c, nil
}

// verifierMatches checks an RFC 7636 verifier (43-128 unreserved
// characters) against an S256 challenge.
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, ch := range verifier {
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || strings.ContainsRune("-._~", ch)) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
