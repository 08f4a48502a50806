package bench_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// Scopes every library asks for. graphScopes is the sign-in (and warm)
// scope; armScopes is a second resource the account has never asked for,
// so only the refresh token can serve it.
var (
	graphScopes = []string{"https://graph.microsoft.com/.default"}
	armScopes   = []string{"https://management.azure.com/.default"}
)

// tokenClient is one library's public client, signed in (or about to be)
// as fa.DefaultUsername with the password grant against a fake authority.
// Every method is what an application of that library would call.
type tokenClient interface {
	// signIn gets the first token for graphScopes with the password grant.
	signIn(ctx context.Context) error
	// token gets a token for scopes the way the library's applications
	// do after sign-in: from the cache, else with the refresh token.
	token(ctx context.Context, scopes []string) (string, error)
}

// lib is a library under test.
type lib struct {
	name string
	// newClient returns a client that reaches a through a.Client() (the
	// fake's in-memory transport). discovery leaves instance discovery
	// on (each library's default); false turns it off in each library.
	newClient func(tb testing.TB, a *fa.Authority, discovery bool) tokenClient
	// newDevice is the same with the device code flow for signIn; the
	// fake must approve device codes by itself (AutoApproveDevice).
	newDevice func(tb testing.TB, a *fa.Authority, discovery bool) tokenClient
}

// libs are the three libraries, ours first.
var libs = []lib{
	{name: "entraauth", newClient: newEntraauth, newDevice: newEntraauthDevice},
	{name: "msalgo", newClient: newMSALGo, newDevice: newMSALGoDevice},
	{name: "azidentity", newClient: newAzidentity, newDevice: newAzidentityDevice},
}

// entraauth: any of our credentials (password here, device code in
// device_libs_test.go); GetToken signs in when nothing is cached and is
// silent afterwards.
type entraauthClient struct{ cred oauth.Credential }

// entraauthOptions points one of our credentials at the fake.
func entraauthOptions(a *fa.Authority, discovery bool) oauth.ClientOptions {
	return oauth.ClientOptions{
		AuthorityHost:            a.URL(),
		TenantID:                 fa.DefaultTenantID,
		HTTPClient:               httpClient(a),
		DisableInstanceDiscovery: !discovery,
	}
}

func newEntraauth(tb testing.TB, a *fa.Authority, discovery bool) tokenClient {
	tb.Helper()
	opts := entraauthOptions(a, discovery)
	cred, err := password.New(fa.AzureCLIClientID, &password.Options{ClientOptions: opts, Username: fa.DefaultUsername, Password: fa.DefaultPassword})
	if err != nil {
		tb.Fatalf("entraauth: %v", err)
	}
	return &entraauthClient{cred: cred}
}

func (c *entraauthClient) signIn(ctx context.Context) error {
	_, err := c.cred.GetToken(ctx, oauth.TokenOptions{Scopes: graphScopes})
	return err
}

func (c *entraauthClient) token(ctx context.Context, scopes []string) (string, error) {
	t, err := c.cred.GetToken(ctx, oauth.TokenOptions{Scopes: scopes})
	return t.Token, err
}

// msalgo: public.Client; AcquireTokenByUsernamePassword, then
// AcquireTokenSilent with the signed-in account, as MSAL's docs show.
type msalClient struct {
	app  public.Client
	acct public.Account
}

func newMSALGo(tb testing.TB, a *fa.Authority, discovery bool) tokenClient {
	tb.Helper()
	app, err := public.New(fa.AzureCLIClientID,
		public.WithAuthority(a.AuthorityURL(fa.DefaultTenantID)),
		public.WithHTTPClient(httpClient(a)),
		public.WithInstanceDiscovery(discovery))
	if err != nil {
		tb.Fatalf("msalgo: %v", err)
	}
	return &msalClient{app: app}
}

func (c *msalClient) signIn(ctx context.Context) error {
	//lint:ignore SA1019 ROPC is deprecated in MSAL; it is the one flow all three libraries share without a user.
	r, err := c.app.AcquireTokenByUsernamePassword(ctx, graphScopes, fa.DefaultUsername, fa.DefaultPassword)
	c.acct = r.Account
	return err
}

func (c *msalClient) token(ctx context.Context, scopes []string) (string, error) {
	if c.acct.HomeAccountID == "" {
		return "", errors.New("msalgo: not signed in")
	}
	r, err := c.app.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(c.acct))
	return r.AccessToken, err
}

// azidentity: UsernamePasswordCredential; GetToken signs in when nothing
// is cached and is silent afterwards (through MSAL underneath).
type azidClient struct {
	cred *azidentity.UsernamePasswordCredential
}

func newAzidentity(tb testing.TB, a *fa.Authority, discovery bool) tokenClient {
	tb.Helper()
	opts := &azidentity.UsernamePasswordCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			// The default cloud is https://login.microsoftonline.com/,
			// the host the in-memory fake pretends to be.
			Transport: httpClient(a),
		},
		DisableInstanceDiscovery: !discovery,
	}
	//lint:ignore SA1019 see msalClient.signIn.
	cred, err := azidentity.NewUsernamePasswordCredential(fa.DefaultTenantID, fa.AzureCLIClientID,
		fa.DefaultUsername, fa.DefaultPassword, opts)
	if err != nil {
		tb.Fatalf("azidentity: %v", err)
	}
	return &azidClient{cred: cred}
}

func (c *azidClient) signIn(ctx context.Context) error {
	_, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: graphScopes})
	return err
}

func (c *azidClient) token(ctx context.Context, scopes []string) (string, error) {
	t, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes})
	return t.Token, err
}

// tokenWithClaims forces a redemption with a claims challenge.
func (c *entraauthClient) tokenWithClaims(ctx context.Context, scopes []string, claims string) (string, error) {
	t, err := c.cred.GetToken(ctx, oauth.TokenOptions{Scopes: scopes, Claims: claims})
	return t.Token, err
}

func (c *msalClient) tokenWithClaims(ctx context.Context, scopes []string, claims string) (string, error) {
	r, err := c.app.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(c.acct), public.WithClaims(claims))
	return r.AccessToken, err
}

func (c *azidClient) tokenWithClaims(ctx context.Context, scopes []string, claims string) (string, error) {
	t, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes, Claims: claims})
	return t.Token, err
}

// decodeJSON reads a bounded JSON body.
func decodeJSON(r io.Reader, v any) error {
	return json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(v)
}
