package fakeauthority

import (
	"net/http"
	"strings"
)

// sessionCookie names the browser session the sign-in page starts. It
// only serves prompt=none (silent sign-in in a browser that signed in
// before) and is ended by logout; it is not saved by MarshalState.
const sessionCookie = "fakeauthority_session"

// startSession remembers that this browser signed in as username.
func (a *Authority) startSession(w http.ResponseWriter, r *http.Request, username string) {
	id := randomID(24)
	a.mu.Lock()
	a.sessions[id] = username
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// sessionUser is the user this browser's session signed in as, if any.
func (a *Authority) sessionUser(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.sessions[c.Value]
	return u, ok
}

// endSession forgets this browser's session and clears its cookie.
func (a *Authority) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil})
}

// silentUser is who prompt=none signs in as: the session's user, unless
// login_hint names someone else.
func (a *Authority) silentUser(r *http.Request, loginHint string) (string, bool) {
	u, ok := a.sessionUser(r)
	if !ok || (loginHint != "" && !strings.EqualFold(loginHint, u)) {
		return "", false
	}
	return u, true
}
