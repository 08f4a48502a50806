package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

const (
	secretAT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.AT-CANARY-access-token-value.sig"
	secretRT = "0.AAAA-RT-CANARY-refresh-token-value-0123456789abcdef"
)

func TestParseTokenResponse(t *testing.T) {
	now := time.Unix(1700000000, 0)
	req := []string{"https://graph.microsoft.com/.default"}
	tests := []struct {
		name   string
		status int
		body   string
		check  func(t *testing.T, r *TokenResult)
		code   string // wanted *Error Code; "" for success
		desc   string // substring of the error description
	}{
		{"full", 200, `{"token_type":"Bearer","scope":"User.Read openid profile","expires_in":3599,"ext_expires_in":7199,
			"refresh_in":1800,"access_token":"` + secretAT + `","refresh_token":"` + secretRT + `","id_token":"x.y.z",
			"client_info":"eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ","foci":"1"}`, func(t *testing.T, r *TokenResult) {
			if r.AccessToken != secretAT || r.RefreshToken != secretRT || r.IDToken != "x.y.z" || r.FamilyID != "1" || r.ClientInfo == "" {
				t.Errorf("fields: %+v", r)
			}
			if !r.ExpiresOn.Equal(now.Add(3599*time.Second)) || !r.ExtExpiresOn.Equal(now.Add(7199*time.Second)) || !r.RefreshOn.Equal(now.Add(1800*time.Second)) {
				t.Errorf("times: %v %v %v", r.ExpiresOn, r.ExtExpiresOn, r.RefreshOn)
			}
			if strings.Join(r.Scopes, " ") != "User.Read openid profile" {
				t.Errorf("scopes = %v", r.Scopes)
			}
		}, "", ""},
		{"expires_in as string, lower-case bearer", 200, `{"token_type":"bearer","access_token":"a","expires_in":"60"}`, func(t *testing.T, r *TokenResult) {
			if !r.ExpiresOn.Equal(now.Add(time.Minute)) || r.TokenType != "Bearer" {
				t.Errorf("ExpiresOn=%v TokenType=%q", r.ExpiresOn, r.TokenType)
			}
		}, "", ""},
		{"no scope means requested", 200, `{"access_token":"a","expires_in":60}`, func(t *testing.T, r *TokenResult) {
			if len(r.Scopes) != 1 || r.Scopes[0] != req[0] {
				t.Errorf("scopes = %v", r.Scopes)
			}
		}, "", ""},
		{"missing expires_in is short", 200, `{"access_token":"a"}`, func(t *testing.T, r *TokenResult) {
			if !r.ExpiresOn.Equal(now.Add(defaultExpiresIn)) {
				t.Errorf("ExpiresOn = %v", r.ExpiresOn)
			}
		}, "", ""},
		{"negative and huge lifetimes clamp", 200, `{"access_token":"a","expires_in":-5,"ext_expires_in":1e15}`, func(t *testing.T, r *TokenResult) {
			if !r.ExpiresOn.Equal(now) || !r.ExtExpiresOn.Equal(now.Add(maxLifetime)) {
				t.Errorf("ExpiresOn=%v ExtExpiresOn=%v", r.ExpiresOn, r.ExtExpiresOn)
			}
		}, "", ""},
		{"lifetimes past int64 nanoseconds clamp (FuzzParseTokenResponse found 3E10)", 200, `{"access_token":"a","expires_in":"3E10","ext_expires_in":9300000000,"refresh_in":1e13}`, func(t *testing.T, r *TokenResult) {
			if !r.ExpiresOn.Equal(now.Add(maxLifetime)) || !r.ExtExpiresOn.Equal(now.Add(maxLifetime)) || !r.RefreshOn.IsZero() {
				t.Errorf("ExpiresOn=%v ExtExpiresOn=%v RefreshOn=%v", r.ExpiresOn, r.ExtExpiresOn, r.RefreshOn)
			}
		}, "", ""},
		{"refresh_in beyond expiry ignored", 200, `{"access_token":"a","expires_in":60,"refresh_in":120}`, func(t *testing.T, r *TokenResult) {
			if !r.RefreshOn.IsZero() {
				t.Errorf("RefreshOn = %v", r.RefreshOn)
			}
		}, "", ""},
		{"200 without access token", 200, `{"token_type":"Bearer","refresh_token":"` + secretRT + `"}`, nil, "invalid_response", "without an access token"},
		{"200 with empty access token", 200, `{"access_token":""}`, nil, "invalid_response", "without an access token"},
		{"200 with error", 200, `{"error":"invalid_grant","error_description":"AADSTS70000: bad","error_codes":[70000]}`, nil, "invalid_grant", "AADSTS70000"},
		{"access token wrong type", 200, `{"access_token":123}`, nil, "invalid_response", "not token JSON"},
		{"expires_in garbage", 200, `{"access_token":"a","expires_in":"soon"}`, nil, "invalid_response", "not token JSON"},
		{"pop token type", 200, `{"access_token":"a","token_type":"pop"}`, nil, "invalid_response", "token_type"},
		{"truncated", 200, `{"token_type":"Bearer","access_token":"` + secretAT[:40], nil, "invalid_response", "not token JSON"},
		{"html 200", 200, `<!DOCTYPE html><html><head><title>Sign in</title></head></html>`, nil, "invalid_response", "not token JSON"},
		{"html 502", 502, `<html><head><title>502 Bad Gateway</title></head></html>`, nil, "invalid_response", "HTML page"},
		{"empty 500", 500, ``, nil, "invalid_response", "empty response body"},
		{"text 400", 400, `Bad Request`, nil, "invalid_response", "not JSON"},
		{"json without error 401", 401, `{"message":"nope"}`, nil, "invalid_response", "unexpected response"},
		{"entra error", 400, `{"error":"invalid_grant","error_description":"AADSTS50076: MFA.\r\nTrace ID: x","error_codes":[50076],
			"suberror":"basic_action","claims":"{\"access_token\":{\"capolids\":{\"essential\":true}}}","correlation_id":"c","trace_id":"tr",
			"timestamp":"2023-11-25 19:49:04Z","error_uri":"https://login.microsoftonline.com/error?code=50076"}`, nil, "invalid_grant", "AADSTS50076"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseTokenResponse("token", tt.status, []byte(tt.body), now, req)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("ParseTokenResponse: %v", err)
				}
				tt.check(t, r)
				return
			}
			var e *oauth.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if e.Code != tt.code || !strings.Contains(e.Description, tt.desc) || e.StatusCode != tt.status || e.Endpoint != "token" {
				t.Errorf("got %+v, want code %q, description containing %q", e, tt.code, tt.desc)
			}
			if tt.code == "invalid_response" && !errors.Is(err, oauth.ErrInvalidResponse) {
				t.Errorf("errors.Is(err, ErrInvalidResponse) = false")
			}
			for _, s := range []string{secretAT, secretRT, "AT-CANARY", "RT-CANARY"} {
				if strings.Contains(err.Error(), s) || strings.Contains(e.Snippet, s) {
					t.Errorf("error leaks %q: %q", s, err)
				}
			}
		})
	}
}

func TestParseErrorResponse(t *testing.T) {
	body := `{"error":"invalid_grant","error_description":"AADSTS50076: Due to MFA.\r\nTrace ID: t","error_codes":[50076,"70000",1.5,null,-1,"x"],
		"suberror":"basic_action","claims":"{\"access_token\":{}}","correlation_id":"corr","trace_id":"trace","timestamp":"ts","error_uri":"uri"}`
	e := ParseErrorResponse("token", 400, []byte(body))
	if e.Code != "invalid_grant" || e.SubError != "basic_action" || e.Claims != `{"access_token":{}}` ||
		e.CorrelationID != "corr" || e.TraceID != "trace" || e.Timestamp != "ts" || e.ErrorURI != "uri" || e.Snippet != "" {
		t.Errorf("fields: %+v", e)
	}
	if len(e.AADSTS) != 2 || e.AADSTS[0] != 50076 || e.AADSTS[1] != 70000 {
		t.Errorf("AADSTS = %v, want [50076 70000] (1.5, null, -1 and \"x\" dropped)", e.AADSTS)
	}
	if !e.HasAADSTS(50076) || e.HasAADSTS(50079) {
		t.Error("HasAADSTS")
	}
	want := "oauth: token: invalid_grant: AADSTS50076: Due to MFA. (HTTP 400) correlation_id=corr"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestErrorIs(t *testing.T) {
	tests := []struct {
		e    *oauth.Error
		want error
	}{
		{&oauth.Error{Code: "interaction_required"}, oauth.ErrInteractionRequired},
		{&oauth.Error{Code: "invalid_grant", AADSTS: []int{50076}}, oauth.ErrInteractionRequired},
		{&oauth.Error{Code: "invalid_grant", Claims: "{}"}, oauth.ErrInteractionRequired},
		{&oauth.Error{Code: "consent_required"}, oauth.ErrInteractionRequired},
		{&oauth.Error{Code: "expired_token"}, oauth.ErrExpired},
		{&oauth.Error{Code: "invalid_grant", AADSTS: []int{700082}}, oauth.ErrExpired},
		{&oauth.Error{Code: "authorization_declined"}, oauth.ErrDeclined},
		{&oauth.Error{Code: "access_denied"}, oauth.ErrDeclined},
		{&oauth.Error{Code: "state_mismatch"}, oauth.ErrStateMismatch},
		{&oauth.Error{Code: "invalid_response"}, oauth.ErrInvalidResponse},
		{&oauth.Error{Code: "invalid_id_token"}, oauth.ErrInvalidIDToken},
	}
	all := []error{oauth.ErrInteractionRequired, oauth.ErrExpired, oauth.ErrDeclined, oauth.ErrStateMismatch, oauth.ErrInvalidResponse, oauth.ErrInvalidIDToken}
	for _, tt := range tests {
		for _, s := range all {
			if got := errors.Is(tt.e, s); got != (s == tt.want) {
				t.Errorf("errors.Is(%+v, %v) = %v", tt.e, s, got)
			}
		}
	}
}

func TestSnippet(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<html>\r\n<title>502 Bad Gateway</title>", "<html> <title>502 Bad Gateway</title>"},
		{`{"access_token":"` + secretAT + `","x":1}`, `{"access_token":"[…]","x":[…]}`},
		{`{"error":"invalid_grant","error_codes":[70000],"expires_in":3599,"ok":true}`, `{"error":"invalid_grant","error_codes":[70000],"expires_in":3599,"ok":true}`},
		{strings.Repeat("a", 10) + " " + strings.Repeat("b", 500), "aaaaaaaaaa […]"},
		{"short\x00\x1b[31mred", "short […]"}, // a cut-off last word with digits may be a token
		{strings.Repeat("x ", 200), strings.TrimSpace(strings.Repeat("x ", 61))},
	}
	for _, tt := range tests {
		if got := snippet([]byte(tt.in)); got != tt.want {
			t.Errorf("snippet(%.40q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseTokenResponse(f *testing.F) {
	f.Add(200, []byte(`{"access_token":"a","expires_in":"3600","refresh_in":1800,"scope":"x y"}`))
	f.Add(400, []byte(`{"error":"invalid_grant","error_codes":[1,"2"]}`))
	f.Add(200, []byte(`<html>`))
	f.Add(200, []byte(`{"access_token":"`+secretAT))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		now := time.Unix(1700000000, 0)
		r, err := ParseTokenResponse("token", status, body, now, []string{"s"})
		if err != nil {
			var e *oauth.Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %T", err)
			}
			if len(e.Snippet) > snippetLen+snippetSlack {
				t.Fatalf("snippet too long: %d", len(e.Snippet))
			}
			return
		}
		if status != 200 || r.AccessToken == "" || r.ExpiresOn.Before(now) || r.ExpiresOn.After(now.Add(maxLifetime)) {
			t.Fatalf("accepted %d %+v", status, r)
		}
	})
}

func FuzzParseErrorResponse(f *testing.F) {
	f.Add(400, []byte(`{"error":"invalid_grant","error_description":"AADSTS50076: x","error_codes":[50076,"x",{}],"claims":"{}"}`))
	f.Add(502, []byte(`<html><body>bad gateway</body></html>`))
	f.Add(500, []byte(``))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseErrorResponse("token", status, body)
		if e == nil || e.Code == "" {
			t.Fatal("no error code")
		}
		_ = e.Error()
		for _, n := range e.AADSTS {
			if n < 0 {
				t.Fatalf("negative AADSTS %d", n)
			}
		}
	})
}
