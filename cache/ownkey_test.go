package cache

import "testing"

// ownKey must agree with the keys this package writes, built with
// strings.ToLower, for ASCII and non-ASCII parts alike.
func TestOwnKeyMatchesBuiltKey(t *testing.T) {
	tests := []struct {
		name, key, home, env, client, family string
		want                                 bool
	}{
		{"client key", rtClientKey("UID.UTID", "Login.Example", "CLIENT"), "UID.UTID", "Login.Example", "CLIENT", "", true},
		{"family key", rtFamilyKey("uid.utid", "login.example", "1"), "uid.utid", "login.example", "client", "1", true},
		{"non-ASCII home", rtClientKey("ÜID.utid", "login.example", "c"), "ÜID.utid", "login.example", "c", "", true},
		{"upper-case key", "UID.UTID-login.example-refreshtoken-c--", "uid.utid", "login.example", "c", "", false},
		{"MSAL Go form (no --)", "uid.utid-login.example-refreshtoken-c", "uid.utid", "login.example", "c", "", false},
		{"MSAL Python form (target)", "uid.utid-login.example-refreshtoken-c--scope", "uid.utid", "login.example", "c", "", false},
		{"another client", rtClientKey("uid.utid", "login.example", "d"), "uid.utid", "login.example", "c", "", false},
		{"family key without family", rtFamilyKey("uid.utid", "login.example", "1"), "uid.utid", "login.example", "c", "", false},
		{"empty key", "", "uid.utid", "login.example", "c", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &RefreshToken{key: tt.key}
			rt.HomeAccountID, rt.Environment, rt.ClientID, rt.FamilyID = tt.home, tt.env, tt.client, tt.family
			if got := rt.ownKey(); got != tt.want {
				t.Errorf("ownKey(%q) = %v, want %v", tt.key, got, tt.want)
			}
			if testing.AllocsPerRun(10, func() { rt.ownKey() }) != 0 && tt.home == "uid.utid" {
				t.Errorf("ownKey allocates for ASCII parts")
			}
		})
	}
}
