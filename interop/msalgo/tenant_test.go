package msalgo

import (
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestTenantOverride: an organizations client asks for a token in a
// specific tenant; the fake serves that tenant's discovery and issues the
// token there, and refuses a user of another tenant (no guests).
func TestTenantOverride(t *testing.T) {
	s := newMSAL(t, msalOptions{tenant: "organizations"})
	ctx := ctxFor(t)
	res, err := s.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.SecondTenantUsername, fakeauthority.DefaultPassword,
		public.WithTenantID(fakeauthority.SecondTenantID))
	if err != nil {
		t.Fatalf("with WithTenantID: %v", err)
	}
	if res.IDToken.TenantID != fakeauthority.SecondTenantID {
		t.Errorf("tid %q", res.IDToken.TenantID)
	}
	reqs := s.fa.RequestsTo(fakeauthority.EndpointToken)
	if got := reqs[len(reqs)-1].Tenant; got != fakeauthority.SecondTenantID {
		t.Errorf("token request went to tenant %q", got)
	}
	_, err = s.client.AcquireTokenByUsernamePassword(ctx, scopes, fakeauthority.DefaultUsername, fakeauthority.DefaultPassword,
		public.WithTenantID(fakeauthority.SecondTenantID))
	if err == nil || !strings.Contains(err.Error(), "AADSTS50020") {
		t.Errorf("a user of another tenant: %v, want AADSTS50020", err)
	}
}
