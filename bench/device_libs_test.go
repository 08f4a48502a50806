package bench_test

import (
	"context"
	"errors"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
)

// The device code clients: signIn runs each library's device code flow
// (the fake approves the code by itself), token is as for the password
// clients. Prompts are discarded.

func newEntraauthDevice(tb testing.TB, a *fa.Authority, discovery bool) tokenClient {
	tb.Helper()
	cred, err := devicecode.New(fa.AzureCLIClientID, &devicecode.Options{
		ClientOptions: entraauthOptions(a, discovery),
		UserPrompt:    func(context.Context, devicecode.Message) error { return nil },
	})
	if err != nil {
		tb.Fatalf("entraauth device code: %v", err)
	}
	return &entraauthClient{cred: cred}
}

// msalDevice reuses msalClient's silent path; only signIn differs.
type msalDevice struct{ *msalClient }

func newMSALGoDevice(tb testing.TB, a *fa.Authority, discovery bool) tokenClient {
	return msalDevice{newMSALGo(tb, a, discovery).(*msalClient)}
}

func (c msalDevice) signIn(ctx context.Context) error {
	dc, err := c.app.AcquireTokenByDeviceCode(ctx, graphScopes)
	if err != nil {
		return err
	}
	r, err := dc.AuthenticationResult(ctx)
	if err != nil {
		return err
	}
	if r.Account.HomeAccountID == "" {
		return errors.New("msalgo: device code result without an account")
	}
	c.acct = r.Account
	return nil
}

type azidDevice struct {
	cred *azidentity.DeviceCodeCredential
}

func newAzidentityDevice(tb testing.TB, a *fa.Authority, discovery bool) tokenClient {
	tb.Helper()
	cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Transport: httpClient(a)},
		ClientID:                 fa.AzureCLIClientID,
		TenantID:                 fa.DefaultTenantID,
		DisableInstanceDiscovery: !discovery,
		UserPrompt:               func(context.Context, azidentity.DeviceCodeMessage) error { return nil },
	})
	if err != nil {
		tb.Fatalf("azidentity device code: %v", err)
	}
	return &azidDevice{cred: cred}
}

func (c *azidDevice) signIn(ctx context.Context) error {
	_, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: graphScopes})
	return err
}

func (c *azidDevice) token(ctx context.Context, scopes []string) (string, error) {
	t, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes})
	return t.Token, err
}
