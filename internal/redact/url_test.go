package redact

import (
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	fp := func(name, value string) string { return "<" + name + ">" }
	for _, tt := range []struct {
		in   string
		opts *URLOptions
		want string
	}{
		{"https://login.microsoftonline.com/organizations/oauth2/v2.0/token", nil, "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"},
		{"https://h/common/userrealm/alice@x?api-version=1.0", nil, "https://h/common/userrealm/(redacted)?api-version=1.0"},
		{"https://h/common/userrealm/alice@x?api-version=1.0", &URLOptions{KeepUsername: true}, "https://h/common/userrealm/alice@x?api-version=1.0"},
		{"https://h/common/UserRealm/alice%40x", &URLOptions{Replace: fp}, "https://h/common/UserRealm/<username>"},
		{"http://localhost:1/?code=SECRET&state=s&Prompt=login", nil, "http://localhost:1/?Prompt=login&code=%28redacted%29&state=%28redacted%29"},
		{"http://localhost:1/?code=SECRET", &URLOptions{Replace: fp}, "http://localhost:1/?code=%3Ccode%3E"},
		{"http://localhost:1/#code=SECRET&response_mode=fragment", nil, "http://localhost:1/#code=%28redacted%29&response_mode=fragment"},
		{"http://localhost:1/#SECRET", nil, "http://localhost:1/#(redacted)"},
		{"https://user:pw@h/x?unknown_param=v", nil, "https://h/x?unknown_param=%28redacted%29"},
		{"://bad", nil, "(redacted)"},
		// Invalid UTF-8 before the realm: lower-casing the whole string
		// would have grown it and cut the username at the wrong offset.
		{"a:\xff\xff\xff\xff/UserRealm/alice@x", nil, "a:/UserRealm/(redacted)"},
	} {
		if got := URLString(tt.in, tt.opts); got != tt.want {
			t.Errorf("URLString(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// FuzzRedact covers the package's two redactors. Text: the result is
// valid, idempotent and holds nothing a terminal acts on. URL: the value
// of a parameter not known to be harmless, and a user realm username,
// never come through, and the result is itself clean text.
func FuzzRedact(f *testing.F) {
	f.Add("https://h/common/userrealm/alice@x", "code", "SECRETVALUE1", "\x1b]0;pwned\x07")
	f.Add("http://localhost:1/#state=x", "Refresh_Token", "SECRETVALUE2", "\u202eabc")
	f.Add("http://localhost:1/", "fragment", "SECRETVALUE3", "\xff\x9b2K")
	for _, s := range textSeeds {
		f.Add("https://h/?api-version=1.0", "code", "SECRETVALUE4", s)
	}
	f.Fuzz(func(t *testing.T, raw, name, secret, text string) {
		checkText(t, text)
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		got := URL(u, nil)
		if Text(got) != got {
			t.Fatalf("URL(%s) = %q is not clean text", u, got)
		}
		// A value the URL already spells elsewhere (its path, a harmless
		// parameter, the parameter's own name) is not the secret leaking.
		if strings.Contains(got, secret) || len(secret) < 8 || harmlessParams[strings.ToLower(name)] || name == "" ||
			strings.ContainsAny(secret, "%+&=#?;/ ") || strings.Contains(url.QueryEscape(name), secret) {
			return
		}
		q := u.Query()
		q.Set(name, secret)
		u.RawQuery = q.Encode()
		if got := URL(u, nil); strings.Contains(got, secret) {
			t.Fatalf("URL(%s) = %s keeps the value of %q", u, got, name)
		}
		realm := *u
		realm.RawQuery, realm.Path, realm.RawPath = "", "/common/userrealm/"+secret, ""
		if got := URL(&realm, nil); strings.Contains(got, secret) {
			t.Fatalf("URL(%s) = %s keeps the username", &realm, got)
		}
	})
}
