package fakeauthority

import (
	"html/template"
	"net/http"
)

var pageError = template.Must(template.New("error").Parse(`<!DOCTYPE html><html><head><title>{{.Title}}</title></head><body><h1 id="title">{{.Title}}</h1><p id="error">{{.Message}}</p></body></html>`))

func (a *Authority) handleAuthorize(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	writeHTMLError(w, 501, "todo", "todo")
}
func (a *Authority) handleLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	writeHTMLError(w, 501, "todo", "todo")
}
func (a *Authority) handleLogout(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	writeHTMLError(w, 501, "todo", "todo")
}
func (a *Authority) handleDevicePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	writeHTMLError(w, 501, "todo", "todo")
}
func (a *Authority) restoreState(b []byte) error { return nil }

type authCode struct{ ChallengeMethod string }
type authRequest struct{}

func (a *Authority) grantAuthCode(w http.ResponseWriter, r *http.Request, rc *reqCtx, ti tenantInfo, app App) {
	a.writeError(w, r, rc, entraError{code: 70003})
}
