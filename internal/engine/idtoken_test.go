package engine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

func TestParseIDTokenClaims(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
		check    func(*IDTokenClaims) bool
	}{
		{"aud string", `{"aud":"c","exp":2,"iat":1}`, true, func(c *IDTokenClaims) bool { return len(c.Audience) == 1 && c.Audience[0] == "c" }},
		{"aud array", `{"aud":["c","d"],"exp":2,"iat":1}`, true, func(c *IDTokenClaims) bool { return len(c.Audience) == 2 }},
		{"float times", `{"exp":2.5,"iat":1,"nbf":1}`, true, func(c *IDTokenClaims) bool {
			return c.Expiry.Equal(time.Unix(2, 5e8)) && c.NotBefore.Equal(time.Unix(1, 0))
		}},
		{"all names", `{"exp":2,"iat":1,"iss":"i","sub":"s","azp":"a","tid":"t","oid":"o","preferred_username":"p","upn":"u","name":"n","nonce":"x","ver":"2.0"}`, true,
			func(c *IDTokenClaims) bool {
				return c.Issuer == "i" && c.Subject == "s" && c.AuthorizedParty == "a" && c.TenantID == "t" && c.ObjectID == "o" &&
					c.Username() == "p" && c.UPN == "u" && c.Name == "n" && c.Nonce == "x" && c.Version == "2.0"
			}},
		{"exponent times", `{"exp":2e0,"iat":1E0}`, true, func(c *IDTokenClaims) bool { return c.Expiry.Equal(time.Unix(2, 0)) }},
		{"exp as string", `{"exp":"2","iat":1}`, false, nil},
		{"exp as bool", `{"exp":true,"iat":1}`, false, nil},
		{"exp as object", `{"exp":{"v":2},"iat":1}`, false, nil},
		{"exp overflows float64", `{"exp":1e999,"iat":1}`, false, nil},
		{"exp null", `{"exp":null,"iat":1}`, false, nil},
		{"aud string with escapes", `{"aud":"\u0063","exp":2,"iat":1}`, true, func(c *IDTokenClaims) bool { return c.Audience[0] == "c" }},
		{"exp missing", `{"iat":1}`, false, nil},
		{"iat missing", `{"exp":1}`, false, nil},
		{"exp negative", `{"exp":-1,"iat":1}`, false, nil},
		{"aud number", `{"aud":1,"exp":2,"iat":1}`, false, nil},
		{"aud mixed array", `{"aud":["c",1],"exp":2,"iat":1}`, false, nil},
		{"not an object", `[]`, false, nil},
		{"sub not a string", `{"sub":1,"exp":2,"iat":1}`, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseIDTokenClaims([]byte(tt.in))
			if !tt.ok {
				if err == nil || !errors.Is(err, oauth.ErrInvalidIDToken) {
					t.Fatalf("got %+v, %v; want ErrInvalidIDToken", c, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}

func TestCheckClaims(t *testing.T) {
	const (
		client = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
		tid    = "7f3c1d2e-5a4b-4c8d-9e0f-1a2b3c4d5e6f"
		other  = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
	)
	now := time.Unix(1700000000, 0)
	org, _ := ParseAuthority("", "organizations")
	byID, _ := ParseAuthority("", tid)
	consumers, _ := ParseAuthority("", "consumers")
	alias, _ := ParseAuthority("https://login.windows.net", "common")
	adfs, _ := ParseAuthority("https://adfs.contoso.com", "adfs")
	ciam, _ := ParseAuthority("https://contoso.ciamlogin.com/", "")
	ciamIss := func(host, path string) func(*IDTokenClaims) {
		return func(c *IDTokenClaims) { c.Issuer = "https://" + host + ".ciamlogin.com/" + path + "/v2.0" }
	}
	good := func() *IDTokenClaims {
		return &IDTokenClaims{Issuer: "https://login.microsoftonline.com/" + tid + "/v2.0", Subject: "s", Audience: []string{client},
			TenantID: tid, IssuedAt: now, NotBefore: now, Expiry: now.Add(time.Hour)}
	}
	tests := []struct {
		name   string
		auth   Authority
		mod    func(*IDTokenClaims)
		nonce  string
		errHas string // "" = valid
	}{
		{"organizations, own tid", org, nil, "", ""},
		{"tenant by id", byID, nil, "", ""},
		{"alias host issuer", alias, nil, "", ""},
		{"skew tolerated", org, func(c *IDTokenClaims) {
			c.IssuedAt, c.NotBefore, c.Expiry = now.Add(4*time.Minute), now.Add(4*time.Minute), now.Add(-4*time.Minute)
		}, "", ""},
		{"nonce matches", org, func(c *IDTokenClaims) { c.Nonce = "n" }, "n", ""},
		{"several aud, all this client, azp", org, func(c *IDTokenClaims) { c.Audience = []string{client, client}; c.AuthorizedParty = client }, "", ""},
		{"one aud, azp this client", org, func(c *IDTokenClaims) { c.AuthorizedParty = client }, "", ""},
		{"several aud with azp, one another party", org, func(c *IDTokenClaims) { c.Audience = []string{client, "x"}; c.AuthorizedParty = client }, "", "another party"},
		{"several aud, all this client, no azp", org, func(c *IDTokenClaims) { c.Audience = []string{client, client} }, "", "azp"},
		{"azp names another client", org, func(c *IDTokenClaims) { c.AuthorizedParty = "other" }, "", "azp"},
		{"several aud, azp another client", org, func(c *IDTokenClaims) { c.Audience = []string{client, client}; c.AuthorizedParty = "x" }, "", "azp"},
		{"iss of another tenant", org, func(c *IDTokenClaims) { c.Issuer = "https://login.microsoftonline.com/" + other + "/v2.0" }, "", "iss"},
		{"iss template literal", org, func(c *IDTokenClaims) { c.Issuer = "https://login.microsoftonline.com/{tenantid}/v2.0" }, "", "iss"},
		{"iss other host", org, func(c *IDTokenClaims) { c.Issuer = "https://evil.example/" + tid + "/v2.0" }, "", "iss"},
		{"iss v1", org, func(c *IDTokenClaims) { c.Issuer = "https://sts.windows.net/" + tid + "/" }, "", "iss"},
		{"tid not requested tenant", byID, func(c *IDTokenClaims) {
			c.TenantID = other
			c.Issuer = "https://login.microsoftonline.com/" + other + "/v2.0"
		}, "", "requested tenant"},
		{"consumers needs MSA tid", consumers, nil, "", "consumer tenant"},
		{"tid missing", org, func(c *IDTokenClaims) { c.TenantID = "" }, "", "tid"},
		{"aud wrong", org, func(c *IDTokenClaims) { c.Audience = []string{"other"} }, "", "aud"},
		{"aud empty", org, func(c *IDTokenClaims) { c.Audience = nil }, "", "aud"},
		{"several aud without azp", org, func(c *IDTokenClaims) { c.Audience = []string{client, "evil"} }, "", "aud"},
		{"sub missing", org, func(c *IDTokenClaims) { c.Subject = "" }, "", "sub"},
		{"expired", org, func(c *IDTokenClaims) { c.Expiry = now.Add(-6 * time.Minute) }, "", "exp"},
		{"nbf future", org, func(c *IDTokenClaims) { c.NotBefore = now.Add(6 * time.Minute) }, "", "nbf"},
		{"iat future", org, func(c *IDTokenClaims) { c.IssuedAt = now.Add(6 * time.Minute) }, "", "iat"},
		{"iat a week ago", org, func(c *IDTokenClaims) { c.IssuedAt = now.Add(-7 * 24 * time.Hour) }, "", "iat"},
		{"nonce missing", org, nil, "n", "nonce"},
		{"nonce wrong", org, func(c *IDTokenClaims) { c.Nonce = "m" }, "n", "nonce"},
		{"ciam issuer", ciam, ciamIss(tid, tid), "", ""},
		{"ciam issuer on the authority's host", ciam, ciamIss("contoso", tid), "", ""},
		{"ciam issuer, host names another tenant", ciam, ciamIss(other, tid), "", "iss"},
		{"ciam issuer, path names another tenant", ciam, ciamIss(tid, other), "", "iss"},
		{"ciam issuer, another CIAM tenant's host", ciam, ciamIss("fabrikam", tid), "", "iss"},
		{"ciam issuer for a non-CIAM authority", org, ciamIss(tid, tid), "", "iss"},
		{"adfs issuer", adfs, func(c *IDTokenClaims) { c.Issuer = "https://adfs.contoso.com/adfs"; c.TenantID = "" }, "", ""},
		{"adfs wrong issuer", adfs, nil, "", "AD FS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			if tt.mod != nil {
				tt.mod(c)
			}
			err := checkClaims(c, tt.auth, client, tt.nonce, now)
			if tt.errHas == "" {
				if err != nil {
					t.Fatalf("checkClaims: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, oauth.ErrInvalidIDToken) || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("checkClaims = %v, want ErrInvalidIDToken mentioning %q", err, tt.errHas)
			}
		})
	}
}

func FuzzIDTokenClaims(f *testing.F) {
	f.Add([]byte(`{"aud":["c"],"exp":2,"iat":1,"nbf":0.5,"tid":"t"}`))
	f.Add([]byte(`{"aud":[],"exp":"x"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, err := ParseIDTokenClaims(payload)
		if err != nil {
			if !errors.Is(err, oauth.ErrInvalidIDToken) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		auth, _ := ParseAuthority("", "organizations")
		_ = checkClaims(c, auth, "c", "", time.Unix(1, 0))
	})
}

// Malformed ID tokens are refused before any key set request: oversized,
// JWE (5 parts), a run of dots, and junk segments.
func TestVerifyIDTokenMalformed(t *testing.T) {
	calls := 0
	c, err := New("", &oauth.ClientOptions{HTTPClient: &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		return reply(500, nil, ""), nil
	})}})
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := ParseAuthority("", "organizations")
	for name, raw := range map[string]string{
		"oversized": "eyJ." + strings.Repeat("A", maxIDTokenLen) + ".sig",
		"jwe":       "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d",
		"dots":      strings.Repeat(".", 10000),
	} {
		if _, err := c.verifyIDToken(context.Background(), raw, auth, ""); !errors.Is(err, oauth.ErrInvalidIDToken) {
			t.Errorf("%s: err = %v, want ErrInvalidIDToken", name, err)
		}
	}
	if calls != 0 {
		t.Errorf("%d key set requests for malformed tokens, want 0", calls)
	}
	// Junk in the right shape: refused as not an RS256 JWS, still no request.
	if _, err := c.verifyIDToken(context.Background(), "a.b.c", auth, ""); !errors.Is(err, oauth.ErrInvalidIDToken) {
		t.Errorf("junk: err = %v", err)
	}
	if calls != 0 {
		t.Errorf("%d key set requests for junk, want 0", calls)
	}
}
