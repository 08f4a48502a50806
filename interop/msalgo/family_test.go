package msalgo

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// sharedMSALCache is an in-memory cache.ExportReplace that several MSAL
// clients share, as apps sharing a token cache file would.
type sharedMSALCache struct {
	mu   sync.Mutex
	data []byte
}

func (c *sharedMSALCache) Replace(ctx context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.data == nil {
		return nil
	}
	return u.Unmarshal(c.data)
}

func (c *sharedMSALCache) Export(ctx context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data = b
	return nil
}

// TestFamilyRefreshToken: the fake's foci makes MSAL store one family
// refresh token for the family; two family apps share MSAL's cache, the
// second sign-in replaces the family token, and the first app's silent
// refresh then redeems the token the fake issued to the other app.
func TestFamilyRefreshToken(t *testing.T) {
	shared := &sharedMSALCache{}
	cli := newMSAL(t, msalOptions{cache: shared, fake: &fakeauthority.Options{AccessTokenLifetime: 2 * time.Minute}})
	ps := newMSAL(t, msalOptions{cache: shared, on: cli.fa, clientID: fakeauthority.AzurePowerShellClientID})
	ctx := ctxFor(t)
	first, err := cli.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	var c struct {
		RefreshToken map[string]struct {
			Secret   string `json:"secret"`
			ClientID string `json:"client_id"`
			FamilyID string `json:"family_id"`
		}
	}
	if err := json.Unmarshal(shared.data, &c); err != nil || len(c.RefreshToken) != 1 {
		t.Fatalf("cache holds %d refresh tokens (%v), want the one family token", len(c.RefreshToken), err)
	}
	var frt string
	for _, rt := range c.RefreshToken {
		if rt.FamilyID != "1" || rt.ClientID != fakeauthority.AzurePowerShellClientID {
			t.Fatalf("refresh token entry %+v, want family 1 from the second app", rt)
		}
		frt = rt.Secret
	}
	if _, err := cli.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(first.Account)); err != nil {
		t.Fatalf("first app's silent refresh with the family token: %v", err)
	}
	reqs := cli.fa.RequestsTo(fakeauthority.EndpointToken)
	last := reqs[len(reqs)-1]
	if last.GrantType != "refresh_token" || last.Params.Get("client_id") != fakeauthority.AzureCLIClientID || last.Params.Get("refresh_token") != frt {
		t.Errorf("last token request: grant %q client %q, family token used: %v", last.GrantType, last.Params.Get("client_id"), last.Params.Get("refresh_token") == frt)
	}
}
