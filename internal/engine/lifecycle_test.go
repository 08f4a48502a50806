package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// stepFailing is an interactive step that must not run.
func stepFailing(t *testing.T) engine.Interactive {
	return func(context.Context, *engine.InteractiveRequest) (*engine.TokenResult, error) {
		t.Error("the interactive step ran")
		return nil, errors.New("prompted")
	}
}

// A new process (a new cache object over the same file, nothing in
// memory, no record) is served from the file with no request and no
// sign-in: the engine reads the persistent storage before it chooses an
// account. (Before: it chose from the empty memory, found no account and
// ran the interactive step.) With the access token gone it makes exactly
// one refresh request.
func TestNewProcessSilent(t *testing.T) {
	a := fa.New(nil)
	path := filepath.Join(t.TempDir(), "cache.json")
	run1, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: fileCache(t, path)}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	want, err := run1.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		scope    string
		requests int
	}{{"cached token", "User.Read", 0}, {"refresh for another scope", "https://management.core.windows.net//.default", 1}} {
		a.ResetLog()
		c, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: fileCache(t, path)})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{tc.scope}}, stepFailing(t))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.requests == 0 && tok.Token != want.Token {
			t.Errorf("%s: not the cached token", tc.name)
		}
		if n := a.Count(fa.EndpointToken); n != tc.requests {
			t.Errorf("%s: %d token requests, want %d", tc.name, n, tc.requests)
		}
	}
}

// Two accounts in the cache and nothing to choose: a typed error that
// names the credential and the count, and neither user's token. A record
// made from one of the listed accounts serves that user silently.
func TestTwoAccountsNoRecord(t *testing.T) {
	a := fa.New(nil)
	const bob = "bob@contoso.onmicrosoft.com"
	a.Directory().AddUser(fa.User{Username: bob, Password: fa.DefaultPassword, ObjectID: "b0b0b0b0-0000-4000-8000-000000000000"})
	path := filepath.Join(t.TempDir(), "cache.json")
	tokens := map[string]string{}
	for _, u := range []string{fa.DefaultUsername, bob} {
		p, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: fileCache(t, path)}, Username: u, Password: fa.DefaultPassword})
		tok, err := p.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
		if err != nil {
			t.Fatal(err)
		}
		tokens[u] = tok.Token
	}
	a.ResetLog()
	opts := oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: fileCache(t, path), DisableAutomaticAuthentication: true}
	c, _ := engine.New("", &opts)
	c.SetName("devicecode")
	tok, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}}, stepFailing(t))
	var na *oauth.NoAccountError
	var ar *oauth.AuthenticationRequiredError
	if !errors.As(err, &na) || na.Found != 2 || na.Credential != "devicecode" || !oauth.IsCredentialUnavailable(err) || !errors.As(err, &ar) {
		t.Fatalf("err = %v, want a NoAccountError for devicecode with 2 accounts", err)
	}
	if tok.Token != "" || a.Count(fa.EndpointToken) != 0 {
		t.Errorf("a token (%v) or a request (%d) came back", tok.Token != "", a.Count(fa.EndpointToken))
	}
	accts, err := c.Accounts(context.Background())
	if err != nil || len(accts) != 2 {
		t.Fatalf("Accounts = %v, %v", accts, err)
	}
	for _, acct := range accts {
		o := opts
		o.Cache = fileCache(t, path)
		o.AuthenticationRecord = oauth.RecordFromAccount("", acct)
		bound, err := engine.New("", &o)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := bound.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}}, stepFailing(t))
		if err != nil || tok.Token != tokens[acct.Username] {
			t.Errorf("%s: bound by RecordFromAccount: %v, own token %v", acct.Username, err, tok.Token == tokens[acct.Username])
		}
	}
}

func TestRecordFromAccount(t *testing.T) {
	a := oauth.Account{HomeAccountID: "u.t", Environment: "Login.Microsoftonline.com", Realm: "t", Username: "u@x"}
	got := oauth.RecordFromAccount("", a)
	want := oauth.AuthenticationRecord{Authority: "https://login.microsoftonline.com", ClientID: oauth.AzureCLIClientID,
		HomeAccountID: "u.t", TenantID: "t", Username: "u@x", Version: "1.0"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// A credential's unavailable error names it, never "".
func TestNoAccountNamesCredential(t *testing.T) {
	p, _ := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: fa.New(nil).Client(), DisableAutomaticAuthentication: true}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	_, err := p.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	var u *oauth.CredentialUnavailableError
	if !errors.As(err, &u) || u.Credential != "password" {
		t.Fatalf("err = %v, want unavailable naming password", err)
	}
}
