package fakeauthority_test

import (
	"io"
	"net/url"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// BenchmarkPasswordGrant is one in-memory token request: form parsing,
// an access token and an ID token signed with RS256, a refresh token.
func BenchmarkPasswordGrant(b *testing.B) {
	fa := fakeauthority.New(nil)
	u := fa.AuthorityURL(fakeauthority.DefaultTenantID) + "/oauth2/v2.0/token"
	form := url.Values{
		"grant_type": {"password"}, "client_id": {fakeauthority.AzureCLIClientID},
		"username": {fakeauthority.DefaultUsername}, "password": {fakeauthority.DefaultPassword},
		"scope": {"User.Read openid profile offline_access"}, "client_info": {"1"},
	}
	for b.Loop() {
		resp, err := fa.Client().PostForm(u, form)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", resp, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkDiscovery is one in-memory OpenID configuration request.
func BenchmarkDiscovery(b *testing.B) {
	fa := fakeauthority.New(nil)
	u := fa.AuthorityURL("organizations") + "/v2.0/.well-known/openid-configuration"
	for b.Loop() {
		resp, err := fa.Client().Get(u)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkNew is the cost of an in-memory authority (the shared key is
// made once per process).
func BenchmarkNew(b *testing.B) {
	fakeauthority.New(nil)
	for b.Loop() {
		fakeauthority.New(nil)
	}
}
