package sshcert_test

import (
	"errors"
	"testing"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
	"github.com/entraauth/entraauth/sshcert"
)

// TestRefusedRefreshSilent: with automatic authentication off, a
// certificate request whose refresh token the authority refuses returns
// *oauth.AuthenticationRequiredError carrying that refusal, as a bearer
// request does, after the one refused request.
func TestRefusedRefreshSilent(t *testing.T) {
	a := fa.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(),
		TenantID: fa.DefaultTenantID, DisableAutomaticAuthentication: true}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cred.Authenticate(t.Context(), oauth.TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	a.RevokeRefreshTokens(fa.DefaultUsername)
	before := a.Count(fa.EndpointToken)
	_, err = sshcert.Get(t.Context(), cred, newKey(t), nil)
	var are *oauth.AuthenticationRequiredError
	if !errors.As(err, &are) || are.Err == nil || are.Err.Code != "invalid_grant" {
		t.Fatalf("Get: %v (%#v), want an AuthenticationRequiredError with the authority's invalid_grant", err, are)
	}
	if n := a.Count(fa.EndpointToken) - before; n != 1 {
		t.Errorf("%d token requests, want 1 (the refused refresh)", n)
	}
}
