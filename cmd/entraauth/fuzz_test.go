package main

import (
	"strings"
	"testing"
)

// FuzzRedactBody: whatever the body, redactBody does not panic, and the
// value of a secret member never comes through.
func FuzzRedactBody(f *testing.F) {
	f.Add(`{"access_token":"SECRETVALUE1","x":1}`, "SECRETVALUE1")
	f.Add(`{"A":{"Refresh_Token":["SECRETVALUE2"]}}`, "SECRETVALUE2")
	f.Add(`[1,2,{"id_token":"SECRETVALUE3"}]`, "SECRETVALUE3")
	f.Fuzz(func(t *testing.T, body, secret string) {
		redactBody("application/json", []byte(body)) // must not panic
		if len(secret) < 12 || strings.ContainsAny(secret, `"\`) {
			return
		}
		doc := `{"nested":{"Access_Token":"` + secret + `"},"list":[{"CODE":"` + secret + `"}]}`
		if got := redactBody("application/json", []byte(doc)); strings.Contains(got, secret) {
			t.Fatalf("redactBody(%s) = %s keeps the secret", doc, got)
		}
	})
}

// FuzzProfileDefault and FuzzExecCredentialVersion: Azure CLI's profile
// and KUBERNETES_EXEC_INFO are read without panicking, and what comes out
// is clean for a terminal.
func FuzzProfileDefault(f *testing.F) {
	f.Add([]byte("\xef\xbb\xbf{\"subscriptions\":[{\"id\":\"s\",\"isDefault\":true}]}"), "t")
	f.Fuzz(func(t *testing.T, b []byte, tenant string) {
		if s := profileDefault(b, tenant); s != clean(s) {
			t.Fatalf("profileDefault = %q, not clean", s)
		}
	})
}

func FuzzExecCredentialVersion(f *testing.F) {
	f.Add(`{"apiVersion":"client.authentication.k8s.io/v1beta1"}`)
	f.Add(`{"apiVersion":"x\u001b]0;t\u0007"}`)
	f.Fuzz(func(t *testing.T, info string) {
		v, err := execCredentialVersion(info)
		if err == nil && v != execV1 && v != execV1beta1 {
			t.Fatalf("execCredentialVersion(%q) = %q", info, v)
		}
		if err != nil && err.Error() != clean(err.Error()) {
			t.Fatalf("execCredentialVersion(%q) error %q is not clean", info, err)
		}
	})
}
