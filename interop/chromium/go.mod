module github.com/entraauth/entraauth/interop/chromium

go 1.26.0

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/entraauth/entraauth v0.0.0-00010101000000-000000000000
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/oauth2 v0.37.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/entraauth/entraauth => ../..
