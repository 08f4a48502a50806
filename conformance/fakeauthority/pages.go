package fakeauthority

import (
	"html/template"
	"net/http"
	"strconv"
)

// The HTML pages. Element ids are stable, for browser automation:
//
//	sign-in page (authorize and device):  form#signin, input#username,
//	    input#password, input#consent (checkbox, checked), button#submit,
//	    button#cancel, p#error (only after a failed attempt)
//	device code page:  form#devicecode, input#code, button#submit, p#error
//	device done page:  p#done
//	form_post page:    form#hiddenform (auto-submits; button#submit without script)
//	error page:        h1#title, p#error
//	signed-out page:   p#signedout

// signInPage is the data of the sign-in page.
type signInPage struct {
	Action   string
	Hidden   map[string]string
	Username string
	ClientID string
	Scope    string
	Error    string
}

var pageSignIn = template.Must(template.New("signin").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title></head>
<body>
<h1>Sign in</h1>
<p>Fake Microsoft Entra ID. Application <code>{{.ClientID}}</code> asks for: <code>{{.Scope}}</code></p>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form id="signin" method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<label for="username">Email or phone</label>
<input id="username" name="username" type="email" autocomplete="username" value="{{.Username}}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<label><input id="consent" name="consent" type="checkbox" value="yes" checked> Accept the permissions above</label>
<button id="submit" name="action" value="signin" type="submit">Sign in</button>
<button id="cancel" name="action" value="cancel" type="submit">Cancel</button>
</form>
</body></html>
`))

// formPostPage is the data of the response_mode=form_post page.
type formPostPage struct {
	Action string
	Hidden map[string]string
}

var pageFormPost = template.Must(template.New("formpost").Parse(`<!DOCTYPE html>
<html><head><title>Working...</title></head>
<body>
<form id="hiddenform" method="POST" name="hiddenform" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<noscript><p>Script is disabled. Click Submit to continue.</p><button id="submit" type="submit">Submit</button></noscript>
</form>
<script>window.onload = function () { document.forms[0].submit(); };</script>
</body></html>
`))

var pageDeviceCode = template.Must(template.New("device").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Enter code</title></head>
<body>
<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form id="devicecode" method="post" action="{{.Action}}">
<input type="hidden" name="step" value="code">
<input id="code" name="otc" type="text" autocomplete="off" aria-label="Code">
<button id="submit" type="submit">Next</button>
</form>
</body></html>
`))

var pageMessage = template.Must(template.New("message").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1><p id="{{.ID}}">{{.Message}}</p></body></html>
`))

var pageError = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1 id="title">{{.Title}}</h1><p id="error">{{.Message}}</p></body></html>
`))

// renderSignIn writes the sign-in page.
func (a *Authority) renderSignIn(w http.ResponseWriter, p signInPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	_ = pageSignIn.Execute(w, p)
}

// writeMessage writes a one-paragraph page whose paragraph has id.
func writeMessage(w http.ResponseWriter, title, id, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageMessage.Execute(w, struct{ Title, ID, Message string }{title, id, msg})
}

// handleErrorPage serves GET /error?code=NNN, the page error_uri points
// at, as Entra's https://login.microsoftonline.com/error?code=NNN does:
// the code and its description. A code the fake does not know is 404.
func (a *Authority) handleErrorPage(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
	code, err := strconv.Atoi(r.URL.Query().Get("code"))
	if _, known := catalog[code]; err != nil || !known || r.Method != http.MethodGet {
		writeHTMLError(w, http.StatusNotFound, "Error code not found", "The fake authority has no description of this error code.")
		return
	}
	writeHTMLError(w, http.StatusOK, "AADSTS"+strconv.Itoa(code), aadstsMessage(code, ""))
}
