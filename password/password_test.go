package password_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

var graph = oauth.TokenOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}

// newCredential returns a credential for user against the in-memory
// authority, in its default tenant.
func newCredential(t *testing.T, a *fa.Authority, user string) *password.Credential {
	t.Helper()
	c, err := password.New("", &password.Options{Username: user, Password: fa.DefaultPassword,
		ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustToken(t *testing.T, c oauth.Credential) {
	t.Helper()
	if _, err := c.GetToken(context.Background(), graph); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordCredential(t *testing.T) {
	t.Run("managed user end to end", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a := fa.New(nil)
			c := newCredential(t, a, fa.DefaultUsername)
			mustToken(t, c)
			realm, tok := a.RequestsTo(fa.EndpointUserRealm), a.RequestsTo(fa.EndpointToken)
			if len(realm) != 1 || len(tok) != 1 || !realm[0].Time.Before(tok[0].Time) && !realm[0].Time.Equal(tok[0].Time) {
				t.Fatalf("want user realm then token: %v", a.Counts())
			}
			p := tok[0].Params
			if p.Get("grant_type") != "password" || p.Get("username") != fa.DefaultUsername || p.Get("client_info") != "1" ||
				p.Get("client_id") != oauth.AzureCLIClientID || !strings.Contains(p.Get("scope"), "offline_access") {
				t.Errorf("token form = %v", p)
			}
		})
	})
	t.Run("federated user", func(t *testing.T) {
		a := fa.New(nil)
		_, err := newCredential(t, a, fa.FederatedUsername).GetToken(context.Background(), graph)
		var fe *password.FederatedAccountError
		if !errors.As(err, &fe) || fe.Domain == "" || !strings.Contains(err.Error(), "device code") {
			t.Fatalf("err = %v, want *FederatedAccountError pointing to device code", err)
		}
		if a.Count(fa.EndpointToken) != 0 {
			t.Error("the password was sent for a federated user")
		}
		if strings.Contains(err.Error(), fa.DefaultPassword) {
			t.Error("error carries the password")
		}
	})
	t.Run("MFA user gets the claims challenge", func(t *testing.T) {
		a := fa.New(nil)
		_, err := newCredential(t, a, fa.MFAUsername).GetToken(context.Background(), graph)
		var e *oauth.Error
		if !errors.As(err, &e) || !e.HasAADSTS(50076) || e.Claims == "" || !errors.Is(err, oauth.ErrInteractionRequired) {
			t.Fatalf("err = %v, want *Error AADSTS50076 with claims", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		a := fa.New(nil)
		c, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: "hunter2-wrong"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.GetToken(context.Background(), graph)
		var e *oauth.Error
		if !errors.As(err, &e) || e.Code != "invalid_grant" || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("err = %v, want invalid_grant without the password", err)
		}
	})
	t.Run("public client flows disallowed", func(t *testing.T) {
		a := fa.New(nil)
		c, _ := password.New(fa.WebClientID, &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
		_, err := c.GetToken(context.Background(), graph)
		var e *oauth.Error
		if !errors.As(err, &e) || !e.HasAADSTS(7000218) {
			t.Fatalf("err = %v, want AADSTS7000218", err)
		}
	})
	t.Run("constructor checks", func(t *testing.T) {
		for _, tc := range []struct{ user, pw, tenant string }{
			{"", "p", ""}, {"u", "", ""}, {"u", "p", "common"}, {"u", "p", "consumers"}, {"u", "p", "bad/tenant"},
		} {
			if _, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{TenantID: tc.tenant}, Username: tc.user, Password: tc.pw}); err == nil {
				t.Errorf("password.New(%q, %q, tenant %q) accepted", tc.user, tc.pw, tc.tenant)
			} else if tc.pw != "" && strings.Contains(err.Error(), tc.pw+"\"") {
				t.Errorf("error carries the password: %v", err)
			}
		}
		if _, err := password.New("", &password.Options{Username: "u", Password: "p"}); err != nil {
			t.Errorf("default options: %v", err)
		}
	})
}
