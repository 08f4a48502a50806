package msalgo

import (
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestInMemoryAsLoginMicrosoftOnline: with the in-memory transport the fake
// pretends to be https://login.microsoftonline.com, a host MSAL knows, so
// MSAL keeps instance discovery on and asks the fake for the cache aliases.
func TestInMemoryAsLoginMicrosoftOnline(t *testing.T) {
	fa := fakeauthority.New(nil)
	client, err := public.New(fakeauthority.AzureCLIClientID,
		public.WithAuthority("https://login.microsoftonline.com/organizations"),
		public.WithHTTPClient(fa.Client()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(t)
	res, err := client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	if err != nil {
		t.Fatalf("AcquireTokenByUsernamePassword: %v", err)
	}
	before := fa.Count(fakeauthority.EndpointToken)
	if _, err := client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(res.Account)); err != nil {
		t.Fatalf("AcquireTokenSilent: %v", err)
	}
	if fa.Count(fakeauthority.EndpointToken) != before {
		t.Error("silent call went to the token endpoint")
	}
	if fa.Count(fakeauthority.EndpointInstance) == 0 {
		t.Error("MSAL did not ask the fake for instance metadata")
	}
}
