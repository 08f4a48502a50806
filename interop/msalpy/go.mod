module github.com/entraauth/entraauth/interop/msalpy

go 1.26.0

require (
	github.com/entraauth/entraauth v0.0.0-00010101000000-000000000000
	golang.org/x/crypto v0.55.0
)

require (
	github.com/godbus/dbus/v5 v5.2.4 // indirect
	golang.org/x/oauth2 v0.37.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/entraauth/entraauth => ../..
