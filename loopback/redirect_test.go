package loopback

import (
	"errors"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

const form = "application/x-www-form-urlencoded"

func TestParseRedirect(t *testing.T) {
	tests := []struct {
		name, mode, method, ctype, query, body string
		wantCode, wantErrParam                 string
		wantErr                                bool
	}{
		{name: "form_post code", mode: "form_post", method: "POST", ctype: form, body: "code=abc&state=s", wantCode: "abc"},
		{name: "form_post charset", mode: "form_post", method: "POST", ctype: form + "; charset=utf-8", body: "code=abc&state=s", wantCode: "abc"},
		{name: "form_post error", mode: "form_post", method: "POST", ctype: form, body: "error=access_denied&state=s", wantErrParam: "access_denied"},
		{name: "form_post ignores query", mode: "form_post", method: "POST", ctype: form, query: "code=q&state=s", body: "", wantErr: true},
		{name: "form_post as GET", mode: "form_post", method: "GET", query: "code=q&state=s", wantErr: true},
		{name: "form_post wrong type", mode: "form_post", method: "POST", ctype: "multipart/form-data", body: "code=abc", wantErr: true},
		{name: "form_post bad media type", mode: "form_post", method: "POST", ctype: ";;", body: "code=abc", wantErr: true},
		{name: "query code", mode: "query", method: "GET", query: "code=abc&state=s&session_state=x", wantCode: "abc"},
		{name: "query ignores body", mode: "query", method: "GET", body: "code=abc&state=s", wantErr: true},
		{name: "query as POST", mode: "query", method: "POST", ctype: form, body: "code=abc&state=s", wantErr: true},
		{name: "malformed escape", mode: "query", method: "GET", query: "code=%zz&state=s", wantErr: true},
		{name: "repeated code", mode: "query", method: "GET", query: "code=a&code=b&state=s", wantErr: true},
		{name: "repeated state", mode: "query", method: "GET", query: "code=a&state=s&state=t", wantErr: true},
		{name: "empty", mode: "query", method: "GET", query: "", wantErr: true},
		{name: "state only", mode: "query", method: "GET", query: "state=s", wantErr: true},
		{name: "unknown mode", mode: "fragment", method: "GET", query: "code=a", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseRedirect(tt.mode, tt.method, tt.ctype, tt.query, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseRedirect error = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && (p.Code != tt.wantCode || p.Error != tt.wantErrParam) {
				t.Errorf("parseRedirect = code %q error %q, want %q %q", p.Code, p.Error, tt.wantCode, tt.wantErrParam)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		p      redirectParams
		issuer string
		want   outcome
	}{
		{"match", redirectParams{Code: "c", State: "s"}, "", outcomeSuccess},
		{"missing state", redirectParams{Code: "c"}, "", outcomeForged},
		{"wrong state", redirectParams{Code: "c", State: "t"}, "", outcomeForged},
		{"state prefix", redirectParams{Code: "c", State: "s2"}, "", outcomeForged},
		{"error without state", redirectParams{Error: "access_denied"}, "", outcomeForged},
		{"error with state", redirectParams{Error: "access_denied", State: "s"}, "", outcomeError},
		{"error wins over code", redirectParams{Error: "server_error", Code: "c", State: "s"}, "", outcomeError},
		{"iss match", redirectParams{Code: "c", State: "s", Issuer: "https://i"}, "https://i", outcomeSuccess},
		{"iss mismatch", redirectParams{Code: "c", State: "s", Issuer: "https://x"}, "https://i", outcomeError},
		{"iss absent", redirectParams{Code: "c", State: "s"}, "https://i", outcomeSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := classify(tt.p, "s", tt.issuer)
			if got != tt.want {
				t.Errorf("classify(%+v) = %v, want %v", tt.p, got, tt.want)
			}
			if (got == outcomeSuccess) != (err == nil) {
				t.Errorf("classify(%+v) error = %v", tt.p, err)
			}
			if got == outcomeForged && !errors.Is(err, oauth.ErrStateMismatch) {
				t.Errorf("forged response error = %v, want ErrStateMismatch", err)
			}
		})
	}
}

// FuzzRedirect feeds arbitrary requests to the redirect parser and the
// state check. Whatever the input: no panic; success only with a code and
// exactly our state; an error never carries control characters.
func FuzzRedirect(f *testing.F) {
	f.Add("form_post", "POST", form, "", "code=abc&state=s")
	f.Add("form_post", "POST", form, "code=x", "error=access_denied&error_description=%3Cscript%3E&state=s")
	f.Add("query", "GET", "", "code=abc&state=s&iss=https%3A%2F%2Fi", "")
	f.Add("query", "GET", "", "code=a&code=b&state=s", "")
	f.Add("query", "GET", "", "error=x%1b&state=s&error_uri=%00", "")
	f.Add("form_post", "POST", "application/x-www-form-urlencoded;;", "", "code=%zz")
	f.Fuzz(func(t *testing.T, mode, method, ctype, query, body string) {
		p, err := parseRedirect(mode, method, ctype, query, []byte(body))
		if err != nil {
			return
		}
		if p.Code == "" && p.Error == "" {
			t.Fatalf("parseRedirect accepted a response with neither code nor error: %+v", p)
		}
		raw := body
		if mode == ResponseModeQuery {
			raw = query
		}
		if v, _ := url.ParseQuery(raw); v.Get("code") != p.Code || v.Get("state") != p.State {
			t.Fatalf("parseRedirect = %+v, not what %q says", p, raw)
		}
		out, cerr := classify(p, "s", "https://i")
		switch out {
		case outcomeSuccess:
			if p.State != "s" || p.Code == "" || p.Error != "" {
				t.Fatalf("success for %+v", p)
			}
		case outcomeError, outcomeForged:
			var oe *oauth.Error
			if !errors.As(cerr, &oe) {
				t.Fatalf("classify error %v is not *oauth.Error", cerr)
			}
			for _, s := range []string{oe.Code, oe.Description, oe.ErrorURI, oe.SubError} {
				if !utf8.ValidString(s) || redact.Text(s) != s {
					t.Fatalf("error field %q keeps control characters or invalid UTF-8", s)
				}
			}
			if out == outcomeError && p.State != "s" {
				t.Fatalf("a response with state %q ended the sign-in", p.State)
			}
		}
	})
}

func TestIssuerMatches(t *testing.T) {
	const (
		tid  = "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
		tmpl = "https://login.microsoftonline.com/{tenantid}/v2.0"
		byID = "https://login.microsoftonline.com/" + tid + "/v2.0"
	)
	tests := []struct {
		got, want string
		ok        bool
	}{
		{byID, byID, true},
		{"https://login.windows.net/" + tid + "/v2.0", byID, true},
		{"https://LOGIN.windows.net/" + tid + "/v2.0", tmpl, true},
		{byID, tmpl, true},
		{"https://login.microsoftonline.com/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/v2.0", byID, false},
		{"https://login.microsoftonline.com/organizations/v2.0", tmpl, false},
		{"https://login.microsoftonline.us/" + tid + "/v2.0", tmpl, false},
		{"https://attacker.example/" + tid + "/v2.0", tmpl, false},
		{"http://login.microsoftonline.com/" + tid + "/v2.0", tmpl, false},
		{"https://login.microsoftonline.com/" + tid + "/v2.0/x", tmpl, false},
		{"https://login.microsoftonline.com/" + tid + "/v2.0?x=1", tmpl, false},
		{"https://user@login.microsoftonline.com/" + tid + "/v2.0", tmpl, false},
		{"https://adfs.contoso.example/adfs", "https://adfs.contoso.example/adfs", true},
		{"https://adfs.contoso.example/other", "https://adfs.contoso.example/adfs", false},
	}
	for _, tt := range tests {
		if got := issuerMatches(tt.got, tt.want); got != tt.ok {
			t.Errorf("issuerMatches(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.ok)
		}
	}
}
