package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/entraauth/entraauth/cache"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

func TestCredentialUnavailableErrorText(t *testing.T) {
	cause := errors.New("exec: \"az\": executable file not found in $PATH")
	for _, tc := range []struct {
		name string
		err  *oauth.CredentialUnavailableError
		want string
	}{
		{"all", &oauth.CredentialUnavailableError{Credential: "azurecli", Reason: "no Azure CLI session; run az login", Err: cause},
			"oauth: azurecli unavailable: no Azure CLI session; run az login: exec: \"az\": executable file not found in $PATH"},
		{"no cause", &oauth.CredentialUnavailableError{Credential: "loopback", Reason: "no browser can open"},
			"oauth: loopback unavailable: no browser can open"},
		{"no name", &oauth.CredentialUnavailableError{Reason: "no terminal"}, "oauth: unavailable: no terminal"},
		{"empty", &oauth.CredentialUnavailableError{}, "oauth: unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestIsCredentialUnavailable(t *testing.T) {
	u := &oauth.CredentialUnavailableError{Credential: "azurecli", Reason: "no session", Err: fs.ErrNotExist}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("x"), false},
		{"itself", u, true},
		{"wrapped", fmt.Errorf("signing in: %w", u), true},
		{"joined", errors.Join(errors.New("x"), u), true},
		{"authority refusal", &oauth.Error{Endpoint: "token", Code: "invalid_grant"}, false},
		{"sentinel", oauth.ErrInteractionRequired, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := oauth.IsCredentialUnavailable(tc.err); got != tc.want {
				t.Errorf("IsCredentialUnavailable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if !errors.Is(u, fs.ErrNotExist) {
		t.Error("Unwrap does not reach the cause")
	}
	if errors.Unwrap(&oauth.CredentialUnavailableError{}) != nil {
		t.Error("Unwrap of an error without a cause is not nil")
	}
}

// A wrong password is the authority's refusal, never "unavailable": a
// chain must not skip past it to another way of signing in.
func TestRefusalIsNotUnavailable(t *testing.T) {
	a := fa.New(nil)
	cred, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID}, Username: fa.DefaultUsername, Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"User.Read"}})
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		t.Fatalf("GetToken = %v, want an *oauth.Error", err)
	}
	if oauth.IsCredentialUnavailable(err) {
		t.Errorf("an authority's refusal reads as unavailable: %v", err)
	}
}

func ExampleIsCredentialUnavailable() {
	err := fmt.Errorf("signing in: %w", &oauth.CredentialUnavailableError{
		Credential: "azurecli", Reason: "no Azure CLI session; run az login"})
	if oauth.IsCredentialUnavailable(err) {
		fmt.Println("try another way:", err)
	}
	// Output:
	// try another way: signing in: oauth: azurecli unavailable: no Azure CLI session; run az login
}

// DisableAutomaticAuthentication with nothing cached cannot run here
// without a prompt: unavailable, and still an AuthenticationRequiredError
// for callers that test for that. With an account whose refresh token the
// authority revoked it is the refusal's AuthenticationRequiredError only,
// which a chain passes through.
func TestDisableAutomaticAuthenticationUnavailable(t *testing.T) {
	a := fa.New(nil)
	step := func(ctx context.Context, req *engine.InteractiveRequest) (*engine.TokenResult, error) {
		t.Fatal("the interactive step ran")
		return nil, nil
	}
	c, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, DisableAutomaticAuthentication: true})
	if err != nil {
		t.Fatal(err)
	}
	opts := oauth.TokenOptions{Scopes: []string{"User.Read"}}
	_, err = c.GetToken(context.Background(), opts, step)
	var are *oauth.AuthenticationRequiredError
	if !oauth.IsCredentialUnavailable(err) || !errors.As(err, &are) || !errors.Is(err, oauth.ErrInteractionRequired) {
		t.Fatalf("nothing cached: err = %v; want unavailable wrapping *AuthenticationRequiredError", err)
	}

	shared := cache.New(nil, nil)
	p, err := password.New("", &password.Options{ClientOptions: oauth.ClientOptions{HTTPClient: a.Client(), TenantID: fa.DefaultTenantID, Cache: shared}, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := p.Authenticate(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	a.RevokeRefreshTokens(fa.DefaultUsername)
	c2, err := engine.New("", &oauth.ClientOptions{HTTPClient: a.Client(), Cache: shared,
		AuthenticationRecord: rec, DisableAutomaticAuthentication: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c2.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{"https://vault.azure.net/.default"}}, step)
	if !errors.As(err, &are) || oauth.IsCredentialUnavailable(err) {
		t.Fatalf("revoked: err = %v; want *AuthenticationRequiredError, not unavailable", err)
	}
}
