package loopback_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/loopback"
	"github.com/entraauth/entraauth/oauth"
)

// The authority's redirect altered on the way (state, code, iss, error
// and extra parameters; RFC 6749 section 4.1.2, RFC 9207): the fake's redirect hook changes what reaches our
// listener, and nothing but a well-formed response for this sign-in may
// lead to a token request.
func TestAuthorizationResponseChecks(t *testing.T) {
	issuer := "https://" + fakeauthority.DefaultHost + "/" + fakeauthority.DefaultTenantID + "/v2.0"
	orgIssuer := func(host string) func(url.Values) {
		return func(p url.Values) { p.Set("iss", "https://"+host+"/"+fakeauthority.DefaultTenantID+"/v2.0") }
	}
	tests := []struct {
		name   string
		tenant string // "" = the default tenant's GUID
		hook   func(url.Values)
		check  func(error) bool
		redeem bool // a code redemption is expected
	}{
		{
			// RFC 9207 for a tenant-independent authority too.
			name: "iss of another authority, organizations", tenant: oauth.TenantOrganizations,
			hook:  orgIssuer("attacker.example"),
			check: func(err error) bool { return errors.Is(err, oauth.ErrInvalidResponse) },
		},
		{
			name: "iss of another cloud, organizations", tenant: oauth.TenantOrganizations,
			hook:  orgIssuer("login.microsoftonline.us"),
			check: func(err error) bool { return errors.Is(err, oauth.ErrInvalidResponse) },
		},
		{
			name: "iss naming no tenant, organizations", tenant: oauth.TenantOrganizations,
			hook:  func(p url.Values) { p.Set("iss", "https://"+fakeauthority.DefaultHost+"/organizations/v2.0") },
			check: func(err error) bool { return errors.Is(err, oauth.ErrInvalidResponse) },
		},
		{
			name: "iss of this cloud's alias host, organizations", tenant: oauth.TenantOrganizations,
			hook:   orgIssuer("login.windows.net"),
			check:  func(err error) bool { return err == nil },
			redeem: true,
		},
		{
			name: "iss of this authority, organizations", tenant: oauth.TenantOrganizations,
			hook:   orgIssuer(fakeauthority.DefaultHost),
			check:  func(err error) bool { return err == nil },
			redeem: true,
		},
		{
			name:  "state removed",
			hook:  func(p url.Values) { p.Del("state") },
			check: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		},
		{
			name:  "state altered",
			hook:  func(p url.Values) { p.Set("state", p.Get("state")+"x") },
			check: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		},
		{
			name:  "iss of another authority",
			hook:  func(p url.Values) { p.Set("iss", "https://attacker.example/"+fakeauthority.DefaultTenantID+"/v2.0") },
			check: func(err error) bool { return errors.Is(err, oauth.ErrInvalidResponse) },
		},
		{
			name:   "iss of this authority",
			hook:   func(p url.Values) { p.Set("iss", issuer) },
			check:  func(err error) bool { return err == nil },
			redeem: true,
		},
		{
			name: "error instead of code",
			hook: func(p url.Values) {
				p.Del("code")
				p.Set("error", "interaction_required")
				p.Set("error_description", "AADSTS50076: MFA required")
			},
			check: func(err error) bool { return errors.Is(err, oauth.ErrInteractionRequired) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := fakeauthority.New(&fakeauthority.Options{AutoApprove: true})
			fa.SetRedirectHook(tt.hook)
			cred := newCredential(t, fa, func(o *loopback.Options) {
				if tt.tenant != "" {
					o.TenantID = tt.tenant
				}
				o.Timeout = 500 * time.Millisecond // a refused response leaves the sign-in waiting
				o.OpenURL = stubBrowser(fa.Client(), 1)
			})
			_, err := cred.GetToken(context.Background(), graph)
			if !tt.check(err) {
				t.Fatalf("GetToken = %v", err)
			}
			redeemed := 0
			for _, r := range fa.RequestsTo(fakeauthority.EndpointToken) {
				if r.GrantType == "authorization_code" {
					redeemed++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tt.redeem]; redeemed != want {
				t.Errorf("%d code redemptions, want %d", redeemed, want)
			}
		})
	}
}
