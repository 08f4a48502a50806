package azurecli_test

import (
	"context"
	"errors"
	"testing"

	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// New refuses a shared option it cannot honour instead of dropping it.
func TestNewRefusesOptionsItCannotHonour(t *testing.T) {
	for _, tc := range []struct {
		name string
		co   oauth.ClientOptions
		user string
		is   error
	}{
		{"a cache of its own", oauth.ClientOptions{Cache: cache.New(nil, nil)}, "", nil},
		{"an authority host with a path", oauth.ClientOptions{AuthorityHost: "https://login.microsoftonline.com/tenant"}, "", oauth.ErrInvalidAuthority},
		{"an authority host over http", oauth.ClientOptions{AuthorityHost: "http://login.microsoftonline.com"}, "", oauth.ErrInvalidAuthority},
		{"a record of another user", oauth.ClientOptions{AuthenticationRecord: oauth.AuthenticationRecord{Username: "bob@contoso.com"}}, "alice@contoso.com", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := azurecli.New(&azurecli.Options{ClientOptions: tc.co, Username: tc.user, ConfigDir: t.TempDir()})
			if err == nil || c != nil {
				t.Fatalf("New = %v, %v; want a refusal", c, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("New = %v, want an error matching %v", err, tc.is)
			}
		})
	}
}

// AuthorityHost names the only cloud served: az's session in the public
// cloud serves a credential for that host, and counts as no session (no
// request, no subprocess) for a credential bound to another cloud. An
// AuthenticationRecord binds the user as Username does.
func TestAuthorityHostAndRecordBind(t *testing.T) {
	a := fa.New(nil)
	dir, want := signedIn(t, a)
	for _, tc := range []struct {
		name  string
		co    oauth.ClientOptions
		serve bool
	}{
		{"az's cloud", oauth.ClientOptions{AuthorityHost: "https://LOGIN.microsoftonline.com/"}, true},
		{"another cloud", oauth.ClientOptions{AuthorityHost: "https://login.microsoftonline.us"}, false},
		{"the record's user", oauth.ClientOptions{AuthenticationRecord: oauth.AuthenticationRecord{Username: fa.DefaultUsername}}, true},
		{"another user's record", oauth.ClientOptions{AuthenticationRecord: oauth.AuthenticationRecord{Username: "bob@contoso.onmicrosoft.com"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.ResetLog()
			tc.co.HTTPClient = a.Client()
			c, err := azurecli.New(&azurecli.Options{ClientOptions: tc.co, ConfigDir: dir, AzPath: "/nonexistent/az"})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
			if tc.serve && (err != nil || tok.Token != want) {
				t.Fatalf("GetToken = %v; want az's cached token", err)
			}
			if !tc.serve && (!oauth.IsCredentialUnavailable(err) || tok.Token != "") {
				t.Fatalf("GetToken = %v, token %v; want unavailable", err, tok.Token != "")
			}
			if n := len(a.Requests()); n != 0 {
				t.Errorf("%d requests to the authority, want 0", n)
			}
		})
	}
}
