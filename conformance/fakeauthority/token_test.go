package fakeauthority_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

func TestPasswordGrantResponseShape(t *testing.T) {
	fa := fakeauthority.New(&fakeauthority.Options{AccessTokenLifetime: time.Hour})
	status, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read openid profile offline_access"))
	if status != 200 {
		t.Fatalf("status %d: %v", status, body)
	}
	for _, k := range []string{"token_type", "scope", "access_token", "refresh_token", "id_token", "client_info", "foci"} {
		if s, _ := body[k].(string); s == "" {
			t.Errorf("response lacks %s", k)
		}
	}
	for _, k := range []string{"expires_in", "ext_expires_in"} {
		if n, _ := body[k].(float64); n != 3600 {
			t.Errorf("%s = %v, want 3600", k, body[k])
		}
	}
	if _, ok := body["refresh_in"]; ok {
		t.Errorf("refresh_in sent for a 1h token; Entra sends it only for 2h or more")
	}
	id := claims(t, body["id_token"].(string))
	want := map[string]any{
		"aud": fakeauthority.AzureCLIClientID, "tid": fakeauthority.DefaultTenantID,
		"iss": "https://login.microsoftonline.com/" + fakeauthority.DefaultTenantID + "/v2.0",
		"oid": fakeauthority.DefaultUserObjectID, "preferred_username": fakeauthority.DefaultUsername, "ver": "2.0",
	}
	for k, v := range want {
		if id[k] != v {
			t.Errorf("id_token %s = %v, want %v", k, id[k], v)
		}
	}
	for _, k := range []string{"iat", "nbf", "exp", "name", "sub"} {
		if _, ok := id[k]; !ok {
			t.Errorf("id_token lacks %s", k)
		}
	}
	ci, err := base64.RawURLEncoding.DecodeString(body["client_info"].(string))
	if err != nil {
		t.Fatalf("client_info is not unpadded base64url: %v", err)
	}
	var info map[string]string
	if err := json.Unmarshal(ci, &info); err != nil || info["uid"] != fakeauthority.DefaultUserObjectID || info["utid"] != fakeauthority.DefaultTenantID {
		t.Errorf("client_info = %s (%v)", ci, err)
	}
	at := claims(t, body["access_token"].(string))
	if at["aud"] != fakeauthority.GraphResource || at["scp"] != "User.Read" {
		t.Errorf("access token aud %v scp %v", at["aud"], at["scp"])
	}
	if fa.Count(fakeauthority.EndpointToken) != 1 {
		t.Errorf("token counter = %d, want 1", fa.Count(fakeauthority.EndpointToken))
	}
}

func TestPasswordGrantErrors(t *testing.T) {
	tests := []struct {
		name   string
		tenant string
		edit   func(url.Values)
		status int
		err    string
		code   int
	}{
		{"wrong password", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("password", "nope") }, 400, "invalid_grant", 50126},
		{"unknown user", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("username", "nobody@contoso.onmicrosoft.com") }, 400, "invalid_grant", 50034},
		{"mfa user", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("username", fakeauthority.MFAUsername) }, 400, "invalid_grant", 50076},
		{"federated user", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("username", fakeauthority.FederatedUsername) }, 400, "invalid_grant", 50126},
		{"common tenant", "common", func(url.Values) {}, 400, "invalid_request", 9001023},
		{"unknown tenant", "nosuch.onmicrosoft.com", func(url.Values) {}, 400, "invalid_tenant", 90002},
		{"user of another tenant", fakeauthority.SecondTenantID, func(url.Values) {}, 400, "invalid_grant", 50020},
		{"public flows off", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("client_id", fakeauthority.WebClientID) }, 401, "invalid_client", 7000218},
		{"unknown client", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("client_id", "00000000-1111-2222-3333-444444444444") }, 400, "unauthorized_client", 700016},
		{"secret sent", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("client_secret", "s") }, 401, "invalid_client", 700025},
		{"missing scope", fakeauthority.DefaultTenantID, func(f url.Values) { f.Del("scope") }, 400, "invalid_request", 900144},
		{"two resources", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("scope", "User.Read https://vault.azure.net/.default") }, 400, "invalid_scope", 28000},
		{"unknown resource", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("scope", "api://nothing/.default") }, 400, "invalid_resource", 500011},
		{"unsupported grant", fakeauthority.DefaultTenantID, func(f url.Values) { f.Set("grant_type", "client_credentials") }, 400, "unsupported_grant_type", 70003},
	}
	fa := fakeauthority.New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := passwordForm("User.Read openid profile offline_access")
			tt.edit(form)
			status, body := post(t, fa, fa.AuthorityURL(tt.tenant)+"/oauth2/v2.0/token", form)
			wantError(t, status, body, tt.status, tt.err, tt.code)
		})
	}
}

func TestMFAClaimsChallenge(t *testing.T) {
	fa := fakeauthority.New(nil)
	form := passwordForm("User.Read openid")
	form.Set("username", fakeauthority.MFAUsername)
	_, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", form)
	if body["suberror"] != "basic_action" {
		t.Errorf("suberror = %v, want basic_action", body["suberror"])
	}
	var c map[string]any
	if err := json.Unmarshal([]byte(body["claims"].(string)), &c); err != nil || c["access_token"] == nil {
		t.Errorf("claims = %v, want a JSON claims challenge (%v)", body["claims"], err)
	}
}

func TestRefreshRotationReuseAndFamily(t *testing.T) {
	tests := []struct {
		name        string
		rejectReuse bool
		wantReuse   int // status of redeeming the first refresh token twice
	}{
		{"entra accepts reuse", false, 200},
		{"strict rejects reuse", true, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := fakeauthority.New(&fakeauthority.Options{RejectRefreshTokenReuse: tt.rejectReuse})
			tok := tenantURL(fa) + "/oauth2/v2.0/token"
			_, first := post(t, fa, tok, passwordForm("User.Read openid offline_access"))
			rt1 := first["refresh_token"].(string)
			refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {fakeauthority.AzureCLIClientID}, "refresh_token": {rt1}, "scope": {"https://vault.azure.net/.default offline_access"}}
			status, second := post(t, fa, tok, refresh)
			if status != 200 || second["refresh_token"] == rt1 || second["refresh_token"] == nil {
				t.Fatalf("refresh: status %d, rotated %v", status, second["refresh_token"] != rt1)
			}
			if aud := claims(t, second["access_token"].(string))["aud"]; aud != "https://vault.azure.net" {
				t.Errorf("refresh for another resource: aud %v", aud)
			}
			if status, _ := post(t, fa, tok, refresh); status != tt.wantReuse {
				t.Errorf("reuse: status %d, want %d", status, tt.wantReuse)
			}
			// The family refresh token works for another member of family 1...
			refresh.Set("refresh_token", second["refresh_token"].(string))
			refresh.Set("client_id", fakeauthority.AzurePowerShellClientID)
			if status, body := post(t, fa, tok, refresh); status != 200 {
				t.Errorf("family member refresh: %d %v", status, body["error_description"])
			}
			// ...but not for a client outside the family.
			refresh.Set("client_id", fakeauthority.NonFamilyClientID)
			status, body := post(t, fa, tok, refresh)
			wantError(t, status, body, 400, "invalid_grant", 70000)
		})
	}
}

func TestRefreshErrors(t *testing.T) {
	fa := fakeauthority.New(nil)
	tok := tenantURL(fa) + "/oauth2/v2.0/token"
	_, first := post(t, fa, tok, passwordForm("User.Read offline_access"))
	rt := first["refresh_token"].(string)
	form := func(rt, scope string) url.Values {
		f := url.Values{"grant_type": {"refresh_token"}, "client_id": {fakeauthority.AzureCLIClientID}, "refresh_token": {rt}}
		if scope != "" {
			f.Set("scope", scope)
		}
		return f
	}
	status, body := post(t, fa, tok, form(rt, ""))
	wantError(t, status, body, 400, "invalid_request", 900144)
	status, body = post(t, fa, tok, form("garbage", "User.Read"))
	wantError(t, status, body, 400, "invalid_grant", 9002313)

	fa.Advance(91 * 24 * time.Hour)
	status, body = post(t, fa, tok, form(rt, "User.Read"))
	wantError(t, status, body, 400, "invalid_grant", 700082)

	_, fresh := post(t, fa, tok, passwordForm("User.Read offline_access"))
	if n := fa.RevokeRefreshTokens(fakeauthority.DefaultUsername); n == 0 {
		t.Fatal("RevokeRefreshTokens revoked nothing")
	}
	status, body = post(t, fa, tok, form(fresh["refresh_token"].(string), "User.Read"))
	wantError(t, status, body, 400, "invalid_grant", 50173)
}

func TestRefreshInRule(t *testing.T) {
	tests := []struct {
		name string
		opts fakeauthority.Options
		want float64 // 0: absent
	}{
		{"default 60-90 min: none", fakeauthority.Options{}, 0},
		{"1h: none", fakeauthority.Options{AccessTokenLifetime: time.Hour}, 0},
		{"24h: half", fakeauthority.Options{AccessTokenLifetime: 24 * time.Hour}, 12 * 3600},
		{"explicit", fakeauthority.Options{RefreshIn: 10 * time.Minute}, 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := fakeauthority.New(&tt.opts)
			_, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read"))
			got, _ := body["refresh_in"].(float64)
			if got != tt.want {
				t.Errorf("refresh_in = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestClaimsRequest: client capabilities and an authentication context
// requested with claims appear in the access token; bad JSON is refused.
func TestClaimsRequest(t *testing.T) {
	fa := fakeauthority.New(nil)
	tok := tenantURL(fa) + "/oauth2/v2.0/token"
	form := passwordForm("User.Read")
	form.Set("claims", `{"access_token":{"xms_cc":{"values":["cp1"]},"acrs":{"essential":true,"value":"c1"}}}`)
	status, body := post(t, fa, tok, form)
	if status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	at := claims(t, body["access_token"].(string))
	if cc, _ := at["xms_cc"].([]any); len(cc) != 1 || cc[0] != "cp1" {
		t.Errorf("xms_cc %v", at["xms_cc"])
	}
	if acrs, _ := at["acrs"].([]any); len(acrs) != 1 || acrs[0] != "c1" {
		t.Errorf("acrs %v", at["acrs"])
	}
	form.Set("claims", `{"access_token":`)
	status, body = post(t, fa, tok, form)
	wantError(t, status, body, 400, "invalid_request", 9002313)
}

func TestResponseHeaders(t *testing.T) {
	fa := fakeauthority.New(nil)
	req, _ := newFormRequest(t.Context(), tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read"))
	req.Header.Set("client-request-id", "c-1")
	req.Header.Set("return-client-request-id", "true")
	resp, err := fa.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("client-request-id") != "c-1" || resp.Header.Get("x-ms-request-id") == "" || resp.Header.Get("Cache-Control") == "" {
		t.Errorf("headers %v", resp.Header)
	}
}

func TestTokenResponseHook(t *testing.T) {
	fa := fakeauthority.New(nil)
	fa.SetTokenResponseHook(func(m map[string]any) {
		delete(m, "access_token")
		m["expires_in"] = "3600"
	})
	_, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read"))
	if _, ok := body["access_token"]; ok || body["expires_in"] != "3600" {
		t.Errorf("hooked response %v", body)
	}
	fa.SetTokenResponseHook(nil)
	if _, body := post(t, fa, tenantURL(fa)+"/oauth2/v2.0/token", passwordForm("User.Read")); body["access_token"] == nil {
		t.Error("removing the hook did not restore access_token")
	}
}

// A refresh refused for a bad parameter (an ssh-cert request without
// key_id or with an unusable req_cnf, claims that are not JSON) or sent
// to a tenant its user is not in does not use up the refresh token, even with RejectRefreshTokenReuse: the same
// token then redeems. (Before, the token was marked redeemed first, so a
// client retrying with good parameters got "already redeemed".)
func TestRefusedRefreshKeepsToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra url.Values
	}{
		{"ssh-cert without key_id", url.Values{"token_type": {"ssh-cert"}, "req_cnf": {`{"kty":"RSA"}`}}},
		{"ssh-cert with an unusable req_cnf", url.Values{"token_type": {"ssh-cert"}, "key_id": {"k"}, "req_cnf": {`{"kty":"EC","kid":"k"}`}}},
		{"claims not JSON", url.Values{"claims": {`{"access_token":`}}},
		{"a tenant the user is not in (AADSTS50020)", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fa := fakeauthority.New(&fakeauthority.Options{RejectRefreshTokenReuse: true})
			tok := tenantURL(fa) + "/oauth2/v2.0/token"
			badURL := tok
			if tc.extra == nil {
				badURL = fa.AuthorityURL(fakeauthority.SecondTenantID) + "/oauth2/v2.0/token"
			}
			_, first := post(t, fa, tok, passwordForm("User.Read openid offline_access"))
			refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {fakeauthority.AzureCLIClientID},
				"refresh_token": {first["refresh_token"].(string)}, "scope": {"User.Read offline_access"}}
			bad := url.Values{}
			for k, v := range refresh {
				bad[k] = v
			}
			for k, v := range tc.extra {
				bad[k] = v
			}
			if status, body := post(t, fa, badURL, bad); status != 400 {
				t.Fatalf("bad request: status %d %v, want 400", status, body)
			}
			if status, body := post(t, fa, tok, refresh); status != 200 {
				t.Errorf("the refresh token after a refused request: status %d %v, want 200", status, body["error_description"])
			}
		})
	}
}
