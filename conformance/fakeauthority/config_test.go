package fakeauthority

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestConfigExample(t *testing.T) {
	c, err := ParseConfig([]byte(ConfigExample))
	if err != nil {
		t.Fatalf("ParseConfig(ConfigExample): %v", err)
	}
	o := c.Options()
	if o.AccessTokenLifetime != time.Hour || o.RefreshIn != 30*time.Minute || o.AutoApproveDevice != 2*time.Second || !o.AutoApprove {
		t.Errorf("options = %+v", o)
	}
	a := New(o)
	c.Apply(a)
	// The first token request meets the configured 503; the next one the
	// configured user signs in with the password grant.
	form := url.Values{"grant_type": {"password"}, "client_id": {"04b07795-8ddb-461a-bbee-02f9e1bf7b46"},
		"username": {"ci@contoso.onmicrosoft.com"}, "password": {"ci-password"}, "scope": {"https://graph.microsoft.com/.default openid"}}
	post := func() *http.Response {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost,
			a.AuthorityURL("contoso.onmicrosoft.com")+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := a.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post(); r.StatusCode != 503 || r.Header.Get("Retry-After") != "1" {
		t.Errorf("first token request: HTTP %d Retry-After %q, want the configured 503", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := post(); r.StatusCode != 200 {
		t.Errorf("password grant for the configured user: HTTP %d", r.StatusCode)
	}
	if u, ok := a.Directory().user("mfa@contoso.onmicrosoft.com"); !ok || !u.MFARequired || u.ObjectID != stableGUID("mfa@contoso.onmicrosoft.com") {
		t.Errorf("mfa user = %+v, %v", u, ok)
	}
	if _, ok := a.Directory().user(DefaultUsername); ok {
		t.Errorf("the default directory's user is there with default_directory false")
	}
}

func TestParseConfigErrors(t *testing.T) {
	valid := `{"tenants":[{"id":"7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f","domain":"c.example"}],` +
		`"users":[{"username":"u@c.example","password":"p"}],"apps":[{"client_id":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","public":true}]`
	tests := []struct{ name, doc, want string }{
		{"valid", valid + `}`, ""},
		{"default directory alone", `{"default_directory":true}`, ""},
		{"not JSON", `{`, "unexpected EOF"},
		{"unknown field", valid + `,"userz":[]}`, "unknown field"},
		{"trailing data", valid + `} {}`, "data after"},
		{"empty", `{}`, "required"},
		{"tenant id", strings.Replace(valid, "7f3c1d2e-5a4b", "nope", 1) + `}`, "tenants[0]"},
		{"user tenant", strings.Replace(valid, `"password":"p"`, `"password":"p","tenant":"other.example"`, 1) + `}`, "users[0]: tenant"},
		{"user without password", strings.Replace(valid, `"password":"p"`, `"password":""`, 1) + `}`, "users[0]"},
		{"client id", strings.Replace(valid, "04b07795-8ddb", "x", 1) + `}`, "apps[0]: client_id"},
		{"redirect", strings.Replace(valid, `"public":true}`, `"public":true,"redirect_uris":["/relative"]}`, 1) + `}`, "not an absolute URL"},
		{"duration", valid + `,"access_token_lifetime":"soon"}`, "access_token_lifetime"},
		{"negative duration", valid + `,"device_interval":"-5s"}`, "device_interval"},
		{"fault endpoint", valid + `,"faults":[{"endpoint":"nowhere"}]}`, "unknown endpoint"},
		{"fault status", valid + `,"faults":[{"endpoint":"token","status":42}]}`, "status out of range"},
		{"fault times", valid + `,"faults":[{"endpoint":"token","times":-2}]}`, "times"},
		{"too big", `{"host":"` + strings.Repeat("a", maxConfig) + `"}`, "over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.doc))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ParseConfig = %v, want success", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrBadConfig)):
				t.Errorf("ParseConfig = %v, want ErrBadConfig mentioning %q", err, tt.want)
			}
		})
	}
}

func TestStableGUID(t *testing.T) {
	g := stableGUID("A@b.example")
	if !guidRE.MatchString(g) || g != stableGUID("a@B.example") || g == stableGUID("c@b.example") {
		t.Errorf("stableGUID = %q", g)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(ConfigExample))
	f.Add([]byte(`{"default_directory":true,"faults":[{"endpoint":"token","times":-1,"delay":"1s"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			if !errors.Is(err, ErrBadConfig) {
				t.Fatalf("error %v does not match ErrBadConfig", err)
			}
			return
		}
		a := New(c.Options()) // a parsed config always builds an authority
		c.Apply(a)
	})
}
