package redact

import "strings"

// secretFormFields are the request fields whose values are our secrets: a
// server that quotes the request back in an error ("...&password=...")
// must not put them in an *Error's text, a log line or a snippet.
var secretFormFields = []string{
	"password", "refresh_token", "code", "code_verifier", "device_code",
	"client_secret", "client_assertion", "assertion",
}

// secretFields are the form fields, query parameters and JSON members
// whose values never reach output as they are (a trace shows a
// fingerprint instead): our secrets above, the tokens an answer carries,
// and what identifies the user or ties a sign-in together.
var secretFields = func() map[string]bool {
	m := map[string]bool{
		"access_token": true, "id_token": true, "client_info": true, "username": true,
		"login_hint": true, "session_state": true, "state": true, "nonce": true,
	}
	for _, f := range secretFormFields {
		m[f] = true
	}
	return m
}()

// secretHeaders are the HTTP headers whose values are credentials.
var secretHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "set-cookie": true,
}

// SecretField reports whether a form field, query parameter or JSON
// member named name holds a secret, whatever its case (encoding/json
// matches member names case-insensitively, and so does the engine).
func SecretField(name string) bool { return secretFields[strings.ToLower(name)] }

// SecretHeader reports whether an HTTP header named name holds a
// credential.
func SecretHeader(name string) bool { return secretHeaders[strings.ToLower(name)] }
