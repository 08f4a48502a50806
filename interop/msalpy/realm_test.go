package msalpy

import (
	"context"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// TestDomainTenantSharedWithMSALPython: both sides configured with the
// tenant named by its domain (…/contoso.onmicrosoft.com) find each
// other's access token, each in a new process with no token request.
// MSAL Python keys the entries by the tenant of the token endpoint that
// OpenID discovery names, which for a domain is the tenant ID (the
// fake's document names it, as Entra's does); our side must key them the
// same way, and learn the ID before its first lookup (one discovery
// request when, as here after MSAL Python's sign-in, nothing beside the
// cache keeps it).
func TestDomainTenantSharedWithMSALPython(t *testing.T) {
	domain := map[string]any{"authority": "https://" + entraHost + "/" + fakeauthority.DefaultTenantDomain}
	t.Run("MSAL Python signs in, ours silent", func(t *testing.T) {
		e := newEnv(t, nil)
		res := e.py("msal_ropc.py", domain)
		pyTok := e.token("MSAL Python sign-in", res)
		home, _ := res["home_account_id"].(string)
		e.fa.ResetLog()
		if got := e.get(e.ourDomainSilent(e.recordFor(home)), "ours after MSAL Python's sign-in"); got != pyTok {
			t.Errorf("ours returned another token than the one MSAL Python cached")
		}
		e.wantTokenRequests("ours silent after MSAL Python's sign-in", 0)
	})
	t.Run("ours signs in, MSAL Python silent", func(t *testing.T) {
		e := newEnv(t, nil)
		o := e.clientOptions(e.ourCache(), oauth.AuthenticationRecord{})
		o.TenantID = fakeauthority.DefaultTenantDomain
		c, err := password.New("", &password.Options{ClientOptions: o, Username: fakeauthority.DefaultUsername, Password: fakeauthority.DefaultPassword})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := c.Authenticate(context.Background(), oauth.TokenOptions{Scopes: []string{armScope}})
		if err != nil {
			t.Fatal(err)
		}
		ours := e.get(e.ourDomainSilent(rec), "ours silent after our sign-in")
		e.fa.ResetLog()
		cfg := map[string]any{"home_account_id": rec.HomeAccountID}
		for k, v := range domain {
			cfg[k] = v
		}
		res := e.py("msal_silent.py", cfg)
		if got := e.token("MSAL Python silent after our sign-in", res); got != ours {
			t.Errorf("MSAL Python returned another token than the one we cached")
		}
		e.wantTokenRequests("MSAL Python silent after our sign-in", 0)
	})
}

// ourDomainSilent is ourSilent configured with the tenant's domain.
func (e *env) ourDomainSilent(rec oauth.AuthenticationRecord) *engine.Client {
	e.t.Helper()
	o := e.clientOptions(e.ourCache(), rec)
	o.TenantID = fakeauthority.DefaultTenantDomain
	o.DisableAutomaticAuthentication = true
	c, err := engine.New("", &o)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}
