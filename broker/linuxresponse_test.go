package broker

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

// brokerMFAExpired is the answer of the real broker 2.0.1 when MFA has
// expired, as reported in siemens/linux-entra-sso issue #114 (telemetry
// shortened).
const brokerMFAExpired = `{"brokerTokenResponse":{"accessTokenType":0,
 "error":{"context":"AADSTS50078: Presented multi-factor authentication has expired due to policies configured by your administrator.",
  "diagnostics":{"raw_error_code":"invalid_grant","exception_type":"com.microsoft.identity.common.exception.UiRequiredException",
  "oauth2_sub_error_code":"basic_action"},"errorCode":0,"status":2,"subStatus":0,"tag":0},
 "expiresOn":0,"extendedExpiresOn":0},
 "telemetry":{"ui_visible":"false","broker_version":"2.0.1"}}`

func TestParseLinuxToken(t *testing.T) {
	now := time.UnixMilli(1_800_000_000_000)
	inAnHour := now.Add(time.Hour)
	req := []string{"User.Read"}
	cases := []struct {
		name      string
		body      string
		expires   time.Time
		scopes    []string
		wantError string // substring; "" for success
	}{
		{"scopes as string, ms", `{"brokerTokenResponse":{"accessToken":"at","accessTokenType":0,"expiresOn":1800003600000,"grantedScopes":"a b  c","idToken":"x.y.z"}}`, inAnHour, []string{"a", "b", "c"}, ""},
		{"scopes as list", `{"brokerTokenResponse":{"accessToken":"at","expiresOn":1800003600000,"grantedScopes":["a","b"]}}`, inAnHour, []string{"a", "b"}, ""},
		{"expiresOn in seconds", `{"brokerTokenResponse":{"accessToken":"at","expiresOn":1800003600}}`, inAnHour, req, ""},
		{"expiresOn as string", `{"brokerTokenResponse":{"accessToken":"at","expiresOn":"1800003600000"}}`, inAnHour, req, ""},
		{"no expiresOn: short life", `{"brokerTokenResponse":{"accessToken":"at"}}`, now.Add(defaultLifetime), req, ""},
		{"lifetime capped", `{"brokerTokenResponse":{"accessToken":"at","expiresOn":9000000000000}}`, now.Add(maxLifetime), req, ""},
		{"unknown fields ignored", `{"brokerTokenResponse":{"accessToken":"at","expiresOn":1800003600000,"new":{"x":[1]}},"telemetry":{}}`, inAnHour, req, ""},
		{"already expired", `{"brokerTokenResponse":{"accessToken":"at","expiresOn":1700000000000}}`, time.Time{}, nil, "already expired"},
		{"PoP token refused", `{"brokerTokenResponse":{"accessToken":"at","accessTokenType":1,"expiresOn":1800003600000}}`, time.Time{}, nil, "not a bearer"},
		{"no access token", `{"brokerTokenResponse":{"expiresOn":1800003600000}}`, time.Time{}, nil, "no access token"},
		{"no wrapper", `{"accessToken":"at"}`, time.Time{}, nil, "no brokerTokenResponse"},
		{"not JSON", `<html>`, time.Time{}, nil, "not the expected JSON"},
		{"JSON array", `[{"brokerTokenResponse":{}}]`, time.Time{}, nil, "not the expected JSON"},
		{"trailing garbage", `{"brokerTokenResponse":{"accessToken":"at"}} {}`, time.Time{}, nil, "not the expected JSON"},
		{"bad scopes type", `{"brokerTokenResponse":{"accessToken":"at","grantedScopes":5}}`, time.Time{}, nil, "not the expected JSON"},
		{"oversized", `{"x":"` + strings.Repeat("a", maxResponse) + `"}`, time.Time{}, nil, "larger than 1 MiB"},
		{"MFA expired (broker 2.0.1)", brokerMFAExpired, time.Time{}, nil, "status 2"},
		{"top-level error", `{"error":{"context":"no","status":6,"subStatus":1}}`, time.Time{}, nil, "status 6/1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := parseLinuxToken(methodSilent, tc.body, now, req)
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("err %v, want %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := rep.result
			if r.AccessToken != "at" || !r.ExpiresOn.Equal(tc.expires) || strings.Join(r.Scopes, " ") != strings.Join(tc.scopes, " ") || r.RefreshToken != "" {
				t.Fatalf("%+v", r)
			}
		})
	}
}

func TestLinuxErrorMapping(t *testing.T) {
	_, err := parseLinuxToken(methodSilent, brokerMFAExpired, time.Now(), nil)
	var be *Error
	var oe *oauth.Error
	if !errors.As(err, &be) || be.Status != 2 || !strings.HasSuffix(be.Exception, "UiRequiredException") {
		t.Fatalf("%v", err)
	}
	if !errors.Is(err, oauth.ErrInteractionRequired) || errors.Is(err, ErrUnsupported) {
		t.Fatal("MFA expired must ask for interaction")
	}
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.SubError != "basic_action" || !oe.HasAADSTS(50078) {
		t.Fatalf("relayed %+v", oe)
	}
	// No OAuth code and no AADSTS: a broker error only.
	_, err = parseLinuxToken(methodSilent, `{"error":{"context":"broken","status":6}}`, time.Now(), nil)
	if !errors.As(err, &be) || errors.As(err, &oe) || errors.Is(err, oauth.ErrInteractionRequired) {
		t.Fatalf("%v", err)
	}
	// Control characters and bidi overrides in the broker's text never
	// reach the message.
	_, err = parseLinuxToken(methodSilent, `{"error":{"context":"a\u001b[2Jb\u202Ec\nd","status":6}}`, time.Now(), nil)
	if !errors.As(err, &be) || be.Message != "a[2Jbc d" {
		t.Fatalf("%q", be.Message)
	}
}

func TestParseLinuxAccounts(t *testing.T) {
	body := `{"accounts":[{"homeAccountId":"u.t","environment":"login.windows.net","realm":"t","username":"a@b","localAccountId":"u","givenName":"A","passwordExpiry":0},
		{"username":"no-home"}, 5, {"homeAccountId":"v.t","username":"c\u0007@d"}]}`
	accts, err := parseLinuxAccounts(body)
	if err != nil || len(accts) != 2 || accts[0].Username != "a@b" || accts[1].Username != "c@d" {
		t.Fatalf("%+v %v", accts, err)
	}
	if !strings.Contains(string(accts[0].raw), `"givenName":"A"`) {
		t.Fatal("the broker's account object must be kept verbatim")
	}
	if _, err := parseLinuxAccounts(`{"error":{"status":3}}`); err == nil {
		t.Fatal("error payload accepted")
	}
	if v, err := parseLinuxVersion(`{"linuxBrokerVersion":"2.0.4"}`); err != nil || v != "2.0.4" {
		t.Fatal(v, err)
	}
}

func TestLinuxTokenRequest(t *testing.T) {
	a := &brokerAccount{Account: oauth.Account{HomeAccountID: "u.t", Username: "a@b"}, raw: []byte(`{"homeAccountId":"u.t","x":1}`)}
	r := &request{clientID: "cid", authority: "https://login.microsoftonline.com/organizations", redirectURI: RedirectURILinux,
		scopes: []string{"User.Read", "openid", "profile", "offline_access"}, claims: `{"access_token":{}}`, loginHint: "h@b", account: a}
	noAccount := *r
	noAccount.account = nil
	noHint := noAccount
	noHint.loginHint = ""
	const head = `{"authParameters":{`
	const tail = `"additionalQueryParametersForAuthorization":{},"authority":"https://login.microsoftonline.com/organizations",`
	const mid = `"clientId":"cid","decodedClaims":"{\"access_token\":{}}","redirectUri":"https://login.microsoftonline.com/common/oauth2/nativeclient",` +
		`"requestedScopes":["User.Read"]`
	cases := []struct {
		name        string
		r           *request
		interactive bool
		want        string
	}{
		// The OIDC scopes are the engine's: the broker is asked for the
		// resource's scopes only; the hint is never copied to the query.
		{"silent", r, false, head + `"account":{"homeAccountId":"u.t","x":1},` + tail + `"authorizationType":1,` + mid + `,"username":"a@b"}}`},
		{"interactive with the broker's account", r, true, head + `"account":{"homeAccountId":"u.t","x":1},` + tail + `"authorizationType":6,` + mid + `,"username":"a@b"}}`},
		{"interactive, hint only", &noAccount, true, head + tail + `"authorizationType":6,` + mid + `,"username":"h@b"}}`},
		{"interactive, account picker", &noHint, true, head + tail + `"authorizationType":6,` + mid + `}}`},
	}
	for _, tc := range cases {
		if got := string(linuxTokenRequest(tc.r, tc.interactive)); got != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
	if got := string(linuxRemoveRequest("cid", a)); got != `{"account":{"homeAccountId":"u.t","x":1},"clientId":"cid"}` {
		t.Fatal(got)
	}
	if got := string(linuxAccountsRequest("cid", "r")); got != `{"clientId":"cid","redirectUri":"r"}` {
		t.Fatal(got)
	}
	if got := string(linuxVersionRequest()); got != `{"msalCppVersion":"entraauth-go"}` {
		t.Fatal(got)
	}
}

func TestCorrelationID(t *testing.T) {
	id := newCorrelationID()
	if len(id) != 36 || id[14] != '4' || !strings.ContainsAny(id[19:20], "89ab") || id == newCorrelationID() {
		t.Fatal(id)
	}
}

func FuzzParseLinuxResponse(f *testing.F) {
	for _, s := range []string{brokerMFAExpired, `{"brokerTokenResponse":{"accessToken":"at","expiresOn":1800003600000,"grantedScopes":["a"],"account":{"homeAccountId":"u.t"}}}`,
		`{"accounts":[{"homeAccountId":"u.t"}]}`, `{"linuxBrokerVersion":"2"}`, `{"error":{"status":"2"}}`,
		`{"brokerTokenResponse":{"error":{"context":"Recieved an error from AAD. Code: 'invalid_grant' description: '(pii)' suberror: 'token_expired'","diagnostics":null,"status":2}}}`,
		`{"brokerTokenResponse":{"error":{"context":"The InteractiveRequest was canceled by the user","errorCode":0,"status":7,"subStatus":0,"tag":557155398}}}`} {
		f.Add(s)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, body string) {
		rep, err := parseLinuxToken(methodSilent, body, now, []string{"s"})
		if err == nil {
			if rep.result.AccessToken == "" || !rep.result.ExpiresOn.After(now) || rep.result.RefreshToken != "" {
				t.Fatalf("accepted %+v", rep.result)
			}
			if rep.account != nil && rep.account.HomeAccountID == "" {
				t.Fatal("account without home ID accepted")
			}
		} else if e := err.Error(); strings.ContainsAny(e, "\x1b\r\n\u202e") && !strings.ContainsAny(body, "\x1b\r\n\u202e") {
			t.Fatal("control characters invented")
		}
		if accts, err := parseLinuxAccounts(body); err == nil {
			for _, a := range accts {
				if a.HomeAccountID == "" {
					t.Fatal("account without home ID")
				}
			}
		}
		parseLinuxVersion(body)
	})
}
