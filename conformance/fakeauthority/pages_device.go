package fakeauthority

import (
	"net/http"
	"strings"
)

// handleDevicePage serves /devicelogin: the page where a user types the
// user code (step "code"), then signs in (step "signin") to approve or
// cancel the device code.
func (a *Authority) handleDevicePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	action := rc.base + "/devicelogin"
	if r.Method != http.MethodPost {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageDeviceCode.Execute(w, struct{ Action, Error string }{action, ""})
		return
	}
	userCode := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("otc")))
	dc, ok := a.pendingDevice(userCode)
	if !ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageDeviceCode.Execute(w, struct{ Action, Error string }{action, aadstsMessage(70018, "")})
		return
	}
	page := signInPage{Action: action, Hidden: map[string]string{"step": "signin", "otc": userCode}, ClientID: dc.ClientID, Scope: dc.Scope}
	if r.PostForm.Get("step") != "signin" {
		a.renderSignIn(w, page)
		return
	}
	if r.PostForm.Get("action") == "cancel" || r.PostForm.Get("consent") != "yes" {
		_ = a.setDevice(userCode, DeviceDeclined, "")
		writeMessage(w, "Sign-in cancelled", "done", "You have declined to sign in to the application on your device. You may now close this window.")
		return
	}
	u, msg := a.checkInteractive(r.PostForm.Get("username"), r.PostForm.Get("password"), dc.Tenant)
	if msg != "" {
		page.Error, page.Username = msg, r.PostForm.Get("username")
		a.renderSignIn(w, page)
		return
	}
	_ = a.setDevice(userCode, DeviceApproved, u.Username)
	writeMessage(w, "You're signed in", "done", "You have signed in to the application on your device. You may now close this window.")
}

// pendingDevice finds a pending, unexpired device code by user code.
func (a *Authority) pendingDevice(userCode string) (deviceCode, bool) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, dc := range a.devices {
		if dc.State == DevicePending && userCode != "" && dc.UserCode == userCode && now.Before(dc.Expires) {
			return *dc, true
		}
	}
	return deviceCode{}, false
}

// handleLogout serves /{tenant}/oauth2/v2.0/logout: it ends the browser
// session, then redirects to post_logout_redirect_uri when it is
// registered for the client_id given (or, without client_id, for any
// app), else shows a signed-out page.
func (a *Authority) handleLogout(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	a.endSession(w, r)
	target := r.Form.Get("post_logout_redirect_uri")
	if target != "" && a.logoutAllowed(r.Form.Get("client_id"), target) {
		if st := r.Form.Get("state"); st != "" {
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + "state=" + st
		}
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	writeMessage(w, "You signed out of your account", "signedout", "It's a good idea to close all browser windows.")
}

func (a *Authority) logoutAllowed(clientID, uri string) bool {
	if clientID != "" {
		app, ok := a.dir.app(clientID)
		return ok && matchRedirect(app, uri)
	}
	for _, app := range a.dir.Apps() {
		if matchRedirect(app, uri) {
			return true
		}
	}
	return false
}
