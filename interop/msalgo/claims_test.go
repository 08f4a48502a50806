package msalgo

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestClaimsChallengeAndCapabilities: MSAL's client capabilities (cp1)
// and a claims challenge passed to AcquireTokenSilent reach the fake,
// which reflects them in the new access token; MSAL skips its cached
// token to get it.
func TestClaimsChallengeAndCapabilities(t *testing.T) {
	fa := fakeauthority.Start(t, nil)
	client, err := public.New(fakeauthority.AzureCLIClientID,
		public.WithAuthority(fa.AuthorityURL(fakeauthority.DefaultTenantID)),
		public.WithHTTPClient(fa.TLSClient()), public.WithInstanceDiscovery(false),
		public.WithClientCapabilities([]string{"cp1"}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(t)
	first, err := client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	if err != nil {
		t.Fatal(err)
	}
	if cc := jwtClaims(t, first.AccessToken)["xms_cc"]; cc == nil {
		t.Errorf("access token lacks xms_cc after MSAL declared cp1")
	}
	challenge := `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`
	second, err := client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(first.Account), public.WithClaims(challenge))
	if err != nil {
		t.Fatalf("AcquireTokenSilent with claims: %v", err)
	}
	if second.AccessToken == first.AccessToken {
		t.Fatal("MSAL returned the cached token despite the claims challenge")
	}
	if acrs, _ := jwtClaims(t, second.AccessToken)["acrs"].([]any); len(acrs) != 1 || acrs[0] != "c1" {
		t.Errorf("acrs %v", acrs)
	}
	reqs := fa.RequestsTo(fakeauthority.EndpointToken)
	if c := reqs[len(reqs)-1].Params.Get("claims"); !strings.Contains(c, "cp1") || !strings.Contains(c, "acrs") {
		t.Errorf("MSAL sent claims %q, want capabilities merged with the challenge", c)
	}
}

func jwtClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
