package loopback

import (
	"html/template"
	"net/http"
)

// The pages the listener shows in the browser. They load nothing from
// anywhere (no scripts, styles, images or links), so the page cannot leak
// the URL it was reached by through a Referer, and html/template escapes
// every value shown, so text from a redirect cannot run as markup
// (RFC 9700 section 4.2: no Referer leaks the code).
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1><p>{{.Message}}</p>{{if .Code}}<p>Error: <code>{{.Code}}</code></p>{{end}}{{if .Detail}}<pre>{{.Detail}}</pre>{{end}}</body></html>
`))

type page struct {
	Title, Message, Code, Detail string
}

var (
	pageSuccess = page{Title: "Signed in", Message: "Sign-in complete. You can close this window and return to the application."}
	pageDone    = page{Title: "Sign-in already finished", Message: "This sign-in has already finished. You can close this window."}
	pageForged  = page{Title: "Not this sign-in", Message: "This response does not belong to the sign-in in progress, so it was ignored. The application is still waiting for the sign-in it started."}
	pageInvalid = page{Title: "Not a sign-in response", Message: "The application is waiting for a sign-in response from Microsoft Entra ID; this request was not one, so it was ignored."}
)

func pageFailed(code, description string) page {
	return page{Title: "Sign-in failed", Message: "Microsoft Entra ID answered with an error. Return to the application for details.", Code: code, Detail: description}
}

// writePage sends p with headers that keep the browser from sniffing,
// framing, caching or loading anything, and from sending a Referer.
func writePage(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; form-action 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p)
}
