package oauth

import (
	"encoding/base64"
	"errors"
	"testing"
)

func TestParseClientInfo(t *testing.T) {
	js := `{"uid":"1c2d3e4f-0000-4000-8000-00000000a11c","utid":"7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"}`
	home := "1c2d3e4f-0000-4000-8000-00000000a11c.7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
	tests := []struct {
		name, in, want string // want "" = error
	}{
		{"unpadded base64url", base64.RawURLEncoding.EncodeToString([]byte(js)), home},
		{"padded base64url", base64.URLEncoding.EncodeToString([]byte(js + " ")), home},
		{"standard base64", base64.StdEncoding.EncodeToString([]byte(`{"uid":"u>?","utid":"t"}`)), "u>?.t"},
		{"no utid", base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"u"}`)), "u"},
		{"empty", "", ""},
		{"not base64", "!!!", ""},
		{"not json", base64.RawURLEncoding.EncodeToString([]byte(`uid=u`)), ""},
		{"uid missing", base64.RawURLEncoding.EncodeToString([]byte(`{"utid":"t"}`)), ""},
		{"uid not a string", base64.RawURLEncoding.EncodeToString([]byte(`{"uid":1,"utid":"t"}`)), ""},
		{"separator in uid", base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"a.b","utid":"t"}`)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ci, err := ParseClientInfo(tt.in)
			if tt.want == "" {
				if err == nil || !errors.Is(err, ErrInvalidClientInfo) {
					t.Fatalf("ParseClientInfo(%q) = %+v, %v; want ErrInvalidClientInfo", tt.in, ci, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ci.HomeAccountID(); got != tt.want {
				t.Errorf("HomeAccountID() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAccountFor(t *testing.T) {
	ci := base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"u","utid":"t"}`))
	claims := &IDTokenClaims{Subject: "sub", ObjectID: "oid", TenantID: "tid", UPN: "upn@x"}
	a, err := accountFor("login.microsoftonline.com", ci, claims)
	if err != nil {
		t.Fatal(err)
	}
	want := Account{HomeAccountID: "u.t", Environment: "login.microsoftonline.com", Realm: "tid", Username: "upn@x", LocalAccountID: "oid"}
	if a != want {
		t.Errorf("accountFor = %+v, want %+v", a, want)
	}
	claims.PreferredUsername, claims.ObjectID = "pu@x", ""
	a, _ = accountFor("h", "", claims) // AD FS: no client_info
	if a.HomeAccountID != "sub" || a.LocalAccountID != "sub" || a.Username != "pu@x" {
		t.Errorf("AD FS account = %+v", a)
	}
	if _, err := accountFor("h", "!!", claims); !errors.Is(err, ErrInvalidClientInfo) {
		t.Errorf("bad client_info: %v", err)
	}
}

func FuzzParseClientInfo(f *testing.F) {
	f.Add("eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ")
	f.Add("eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ==")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		ci, err := ParseClientInfo(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidClientInfo) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if ci.UID == "" {
			t.Fatal("accepted an empty uid")
		}
	})
}
