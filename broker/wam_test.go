package broker

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

func TestGUIDs(t *testing.T) {
	for _, s := range []string{"6ACA7C92-A581-4479-9C10-752EFF44FD34", "0A815852-7C44-5674-B3D2-FA2E4C1E46C9", "00000036-0000-0000-C000-000000000046"} {
		if g := mustGUID(s); g.String() != s {
			t.Errorf("%s round-trips as %s", s, g)
		}
	}
	g := mustGUID("F4B8E804-811E-4436-B69C-44CB67B72084")
	if g.Data1 != 0xF4B8E804 || g.Data2 != 0x811E || g.Data3 != 0x4436 || g.Data4 != [8]byte{0xB6, 0x9C, 0x44, 0xCB, 0x67, 0xB7, 0x20, 0x84} {
		t.Fatalf("%+v", g)
	}
	for _, bad := range []string{"", "6ACA7C92A58144799C10752EFF44FD34", "6ACA7C92-A581-4479-9C10-752EFF44FDZZ"} {
		if _, err := parseGUID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHStringUnits(t *testing.T) {
	for _, tc := range []struct {
		s string
		n int
	}{{"", 0}, {"abc", 3}, {"é", 1}, {"😀", 2}, {"a😀b", 4}} {
		u, err := hstringUnits(tc.s)
		if err != nil || len(u) != tc.n {
			t.Errorf("%q: %d units, %v; want %d (UTF-16 code units, not runes)", tc.s, len(u), err, tc.n)
		}
	}
	if _, err := hstringUnits("a\x00b"); err == nil {
		t.Error("NUL accepted")
	}
}

func TestWAMRequest(t *testing.T) {
	r := &request{clientID: "cid", authority: "https://login.microsoftonline.com/organizations", scopes: []string{"User.Read", "openid"},
		claims: `{"access_token":{}}`, loginHint: "a@b", correlationID: "c-1"}
	props := map[string]string{}
	for _, p := range wamProperties(r, true) {
		props[p.key] = p.value
	}
	want := map[string]string{"wam_compat": "2.0", "authority": r.authority, "validateAuthority": "yes",
		"correlationId": "c-1", "claims": r.claims, "LoginHint": "a@b"}
	if len(props) != len(want) {
		t.Fatalf("%v", props)
	}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s = %q, want %q", k, props[k], v)
		}
	}
	for _, p := range wamProperties(r, false) {
		if p.key == "LoginHint" {
			t.Error("a silent request carries no login hint")
		}
	}
	if wamScope(r) != "User.Read openid" {
		t.Error(wamScope(r))
	}
	for _, tc := range []struct {
		authority string
		msa       bool
		want      string
	}{{"https://h/organizations", false, "organizations"}, {"https://h/common", false, "organizations"},
		{"https://h/common", true, "consumers"}, {"https://h/7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f", true, "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"}} {
		if got := wamProviderAuthority(&request{authority: tc.authority, msaPassthrough: tc.msa}); got != tc.want {
			t.Errorf("%s msa=%v: %s, want %s", tc.authority, tc.msa, got, tc.want)
		}
	}
}

func TestWAMReply(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ok := &wamResponse{status: wamSuccess, token: "at", props: map[string]string{"TokenExpiresOn": "1800003600",
		"wamcompat_id_token": "x.y.z", "wamcompat_client_info": "ci", "wamcompat_scopes": "a b"},
		accountID: "wam-id", accountUser: "u\x1b@b", accountProp: map[string]string{"OID": "o", "TenantId": "t"}}
	rep, err := wamReply("m", ok, now, []string{"req"})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.result
	if r.AccessToken != "at" || !r.ExpiresOn.Equal(now.Add(time.Hour)) || r.IDToken != "x.y.z" || r.ClientInfo != "ci" ||
		strings.Join(r.Scopes, " ") != "a b" || r.RefreshToken != "" {
		t.Fatalf("%+v", r)
	}
	if rep.account == nil || rep.account.HomeAccountID != "o.t" || string(rep.account.raw) != "wam-id" || rep.account.Username != "u@b" {
		t.Fatalf("%+v", rep.account)
	}
	switched := *ok
	switched.status = wamAccountSwitch
	if _, err := wamReply("m", &switched, now, nil); err != nil {
		t.Errorf("AccountSwitch: %v", err)
	}
	cases := []struct {
		w     wamResponse
		check func(error) bool
	}{
		{wamResponse{status: wamUserCancel}, func(err error) bool { return errors.Is(err, oauth.ErrDeclined) }},
		{wamResponse{status: wamUserInteractionRequired}, func(err error) bool { return errors.Is(err, oauth.ErrInteractionRequired) }},
		{wamResponse{status: wamAccountProviderNotAvailable}, func(err error) bool { return errors.Is(err, ErrUnsupported) }},
		{wamResponse{status: wamProviderError, errCode: 0xCAA20003, errMessage: "AADSTS50076: MFA"}, func(err error) bool {
			var be *Error
			var oe *oauth.Error
			return errors.As(err, &be) && be.Code == 0xCAA20003 && errors.As(err, &oe) && oe.HasAADSTS(50076) && errors.Is(err, oauth.ErrInteractionRequired)
		}},
		{wamResponse{status: wamSuccess}, func(err error) bool { return strings.Contains(err.Error(), "no access token") }},
		{wamResponse{status: wamSuccess, token: "at", props: map[string]string{"TokenExpiresOn": "soon"}}, func(err error) bool {
			return strings.Contains(err.Error(), "not a number")
		}},
	}
	for _, tc := range cases {
		if _, err := wamReply("m", &tc.w, now, nil); err == nil || !tc.check(err) {
			t.Errorf("status %d: %v", tc.w.status, err)
		}
	}
	// A WebAccount without OID and TenantId is no account.
	if _, ok := wamAccount("id", "u", map[string]string{"OID": "o"}); ok {
		t.Error("account without tenant accepted")
	}
}
