package engine_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/oauth"
)

// Every ID token the fake can be made to issue wrongly is refused, and
// nothing is cached from that response.
func TestIDTokenMisbehaviour(t *testing.T) {
	modes := []fa.Misbehavior{
		fa.MisbehaveBadSignature, fa.MisbehaveWrongIssuer, fa.MisbehaveWrongAudience,
		fa.MisbehaveAlgNone, fa.MisbehaveHS256PublicKey, fa.MisbehaveExpired, fa.MisbehaveUnknownKID,
		fa.MisbehaveForeignIssuerKey, fa.MisbehaveSmallKey, fa.MisbehaveEncKey,
	}
	for _, m := range modes {
		t.Run(m.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := fa.New(nil)
				a.Misbehave(m)
				c := newPassword(t, a, fa.DefaultUsername, nil)
				_, err := c.GetToken(context.Background(), graph)
				if !errors.Is(err, oauth.ErrInvalidIDToken) {
					t.Fatalf("err = %v, want ErrInvalidIDToken", err)
				}
				if n := cacheOf(c).Len(); n.AccessTokens+n.RefreshTokens != 0 {
					t.Errorf("tokens cached from a rejected response: %+v", n)
				}
			})
		})
	}
	hooks := map[string]func(map[string]any){
		"sub missing":        func(c map[string]any) { delete(c, "sub") },
		"iat in the future":  func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() },
		"aud extra, no azp":  func(c map[string]any) { c["aud"] = []string{oauth.AzureCLIClientID, "evil"}; delete(c, "azp") },
		"tid of other issue": func(c map[string]any) { c["tid"] = fa.SecondTenantID },
		"exp as string":      func(c map[string]any) { c["exp"] = "99999999999" },
		"azp another client": func(c map[string]any) { c["azp"] = "00000000-0000-0000-0000-00000000bad0" },
		"two audiences, one foreign": func(c map[string]any) {
			c["aud"] = []string{oauth.AzureCLIClientID, "evil"}
			c["azp"] = oauth.AzureCLIClientID
		},
		"two audiences, azp foreign": func(c map[string]any) {
			c["aud"] = []string{oauth.AzureCLIClientID, oauth.AzureCLIClientID}
			c["azp"] = "evil"
		},
	}
	for name, hook := range hooks {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := fa.New(nil)
				a.SetIDTokenHook(hook)
				c := newPassword(t, a, fa.DefaultUsername, nil)
				if _, err := c.GetToken(context.Background(), graph); !errors.Is(err, oauth.ErrInvalidIDToken) {
					t.Fatalf("err = %v, want ErrInvalidIDToken", err)
				}
			})
		})
	}
	t.Run("aud as one-element array accepted", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a := fa.New(nil)
			a.SetIDTokenHook(func(c map[string]any) { c["aud"] = []string{oauth.AzureCLIClientID} })
			mustToken(t, newPassword(t, a, fa.DefaultUsername, nil), graph)
		})
	})
	t.Run("missing kid with one key accepted", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a := fa.New(nil)
			a.Misbehave(fa.MisbehaveMissingKID)
			mustToken(t, newPassword(t, a, fa.DefaultUsername, nil), graph)
		})
	})
}

// Key rotation: one refetch of the key set on an unknown kid; a flood of
// unknown kids refetches at most once per 30 seconds.
func TestKeyRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c := newPassword(t, a, fa.DefaultUsername, nil)
		mustToken(t, c, graph)
		if n := a.Count(fa.EndpointKeys); n != 1 {
			t.Fatalf("%d key set fetches for the first sign-in, want 1", n)
		}
		a.RotateKey() // right after the first fetch: the refetch is still allowed
		a.ResetLog()
		mustToken(t, c, oauth.TokenOptions{Scopes: []string{armScope}})
		if n := a.Count(fa.EndpointKeys); n != 1 {
			t.Errorf("rotation: %d key set fetches, want 1", n)
		}
		a.Misbehave(fa.MisbehaveUnknownKID)
		time.Sleep(31 * time.Second)
		a.ResetLog()
		for i := range 20 {
			scope := "https://vault.azure.net/.default"
			if i%2 == 1 {
				scope = "https://storage.azure.com/.default"
			}
			_, err := c.GetToken(context.Background(), oauth.TokenOptions{Scopes: []string{scope}, Claims: `{"id_token":{}}`})
			if !errors.Is(err, oauth.ErrInvalidIDToken) {
				t.Fatalf("unknown kid accepted: %v", err)
			}
		}
		if n := a.Count(fa.EndpointKeys); n != 1 {
			t.Errorf("20 unknown kids caused %d key set fetches, want 1", n)
		}
	})
}

func TestInstanceDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A host the authority vouches for: validated once per process.
		const host = "login.entraauth-test.example"
		a := fa.New(&fa.Options{Host: host})
		for range 2 {
			c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.AuthorityHost = "https://" + host })
			mustToken(t, c, graph)
		}
		if n := a.Count(fa.EndpointInstance); n != 1 {
			t.Errorf("unknown host: %d instance discovery requests for two clients, want 1 (cached per process)", n)
		}
		// A host Entra refuses: a typed error, also asked only once.
		a.ResetLog()
		for range 2 {
			c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) { o.AuthorityHost = "https://login.unknown-test.example" })
			_, err := c.GetToken(context.Background(), graph)
			var e *oauth.Error
			if !errors.As(err, &e) || e.Code != "invalid_instance" || !e.HasAADSTS(50049) {
				t.Errorf("refused host: err = %v, want invalid_instance", err)
			}
		}
		if n, tok := a.Count(fa.EndpointInstance), a.Count(fa.EndpointToken); n != 1 || tok != 0 {
			t.Errorf("refused host: %d discovery and %d token requests, want 1 and 0", n, tok)
		}
		// Known clouds and DisableInstanceDiscovery: no discovery at all.
		a.ResetLog()
		b := fa.New(nil)
		mustToken(t, newPassword(t, b, fa.DefaultUsername, nil), graph)
		d := fa.New(&fa.Options{Host: "login.disabled-test.example"})
		c2 := newPassword(t, d, fa.DefaultUsername, func(o *oauth.ClientOptions) {
			o.AuthorityHost = "https://login.disabled-test.example"
			o.DisableInstanceDiscovery = true
		})
		mustToken(t, c2, graph)
		if n := b.Count(fa.EndpointInstance) + d.Count(fa.EndpointInstance); n != 0 {
			t.Errorf("%d instance discovery requests for a known cloud and a disabled one, want 0", n)
		}
	})
}
