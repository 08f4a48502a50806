package redact

import "testing"

// Every secret we send is also hidden in traces (the echo list is a subset
// of the trace list), names match in any case, and what is not a secret
// (grant_type, scope, client_id) is shown.
func TestSecretFields(t *testing.T) {
	for _, f := range secretFormFields {
		if !SecretField(f) {
			t.Errorf("%s is scrubbed from echoes but not hidden in traces", f)
		}
	}
	for name, want := range map[string]bool{
		"Refresh_Token": true, "ID_TOKEN": true, "login_hint": true, "client_info": true,
		"grant_type": false, "scope": false, "client_id": false, "": false,
	} {
		if got := SecretField(name); got != want {
			t.Errorf("SecretField(%q) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{"Authorization": true, "set-cookie": true, "Content-Type": false} {
		if got := SecretHeader(name); got != want {
			t.Errorf("SecretHeader(%q) = %v, want %v", name, got, want)
		}
	}
}
