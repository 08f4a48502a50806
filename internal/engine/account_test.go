package engine

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/oauth"
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
				if err == nil || !errors.Is(err, oauth.ErrInvalidClientInfo) {
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
	const (
		home  = "11111111-1111-4111-8111-111111111111"
		guest = "22222222-2222-4222-8222-222222222222"
		oid   = "33333333-3333-4333-8333-333333333333"
		goid  = "44444444-4444-4444-8444-444444444444"
	)
	ci := func(uid, utid string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"` + uid + `","utid":"` + utid + `"}`))
	}
	orgs, _ := ParseAuthority("", oauth.TenantOrganizations)
	guestAuth, _ := ParseAuthority("", guest)
	adfs, _ := ParseAuthority("https://adfs.contoso.example", oauth.TenantADFS)
	homeClaims := &IDTokenClaims{Subject: "sub", ObjectID: oid, TenantID: home, UPN: "upn@x"}
	guestClaims := &IDTokenClaims{Subject: "gsub", ObjectID: goid, TenantID: guest, PreferredUsername: "pu@x",
		IdentityProvider: "https://sts.windows.net/" + home + "/"}
	tests := []struct {
		name     string
		auth     Authority
		ci       string
		claims   *IDTokenClaims
		wantHome string
		wantErr  error
	}{
		{"home tenant", orgs, ci(oid, home), homeClaims, oid + "." + home, nil},
		{"uid case differs", orgs, ci(strings.ToUpper(oid), home), homeClaims, strings.ToUpper(oid) + "." + home, nil},
		{"uid is not oid", orgs, ci(goid, home), homeClaims, "", oauth.ErrAccountMismatch},
		{"utid is not tid through organizations", orgs, ci(oid, guest), homeClaims, "", oauth.ErrAccountMismatch},
		{"no utid", orgs, ci(oid, ""), homeClaims, "", oauth.ErrAccountMismatch},
		{"guest with idp of home", guestAuth, ci(oid, home), guestClaims, oid + "." + home, nil},
		{"guest, idp names another tenant", guestAuth, ci(oid, guest[:35]+"3"), guestClaims, "", oauth.ErrAccountMismatch},
		{"guest, home_oid disagrees", guestAuth, ci(oid, home), withHomeOID(guestClaims, goid), "", oauth.ErrAccountMismatch},
		{"guest, home_oid agrees", guestAuth, ci(oid, home), withHomeOID(guestClaims, oid), oid + "." + home, nil},
		{"guest without idp", guestAuth, ci(oid, home), withIdp(guestClaims, ""), "", oauth.ErrAccountMismatch},
		{"MSA guest", guestAuth, ci(oid, oauth.MSATenantID), withIdp(guestClaims, "live.com"), oid + "." + oauth.MSATenantID, nil},
		{"no client_info: sub", orgs, "", homeClaims, "sub", nil},
		{"AD FS ignores client_info", adfs, ci(goid, home), homeClaims, "sub", nil},
		{"unreadable client_info", orgs, "!!", homeClaims, "", oauth.ErrInvalidClientInfo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := accountFor(tt.auth, tt.ci, tt.claims)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				var oe *oauth.Error
				if !errors.As(err, &oe) {
					t.Fatalf("err %T is not *Error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.HomeAccountID != tt.wantHome || a.Environment != tt.auth.Host || a.Realm != tt.claims.TenantID {
				t.Errorf("account = %+v, want home %q", a, tt.wantHome)
			}
		})
	}
}

func withIdp(c *IDTokenClaims, idp string) *IDTokenClaims {
	d := *c
	d.IdentityProvider = idp
	return &d
}
func withHomeOID(c *IDTokenClaims, o string) *IDTokenClaims { d := *c; d.HomeObjectID = o; return &d }

func FuzzParseClientInfo(f *testing.F) {
	f.Add("eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ")
	f.Add("eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ==")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		ci, err := ParseClientInfo(s)
		if err != nil {
			if !errors.Is(err, oauth.ErrInvalidClientInfo) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if ci.UID == "" {
			t.Fatal("accepted an empty uid")
		}
	})
}
