package fakeauthority_test

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestDiscoveryIssuer: the issuer and the endpoints of each tenant's
// OpenID configuration. A tenant asked for by its domain gets its tenant
// ID in every endpoint (endpointTenant), as Entra answers for
// https://login.microsoftonline.com/microsoft.com/v2.0/.well-known/openid-configuration.
func TestDiscoveryIssuer(t *testing.T) {
	tests := []struct {
		tenant, endpointTenant string
		wantIssuer             string
	}{
		{"common", "common", "https://login.microsoftonline.com/{tenantid}/v2.0"},
		{"organizations", "organizations", "https://login.microsoftonline.com/{tenantid}/v2.0"},
		{"consumers", "consumers", "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"},
		{fakeauthority.DefaultTenantID, fakeauthority.DefaultTenantID, "https://login.microsoftonline.com/" + fakeauthority.DefaultTenantID + "/v2.0"},
		{fakeauthority.DefaultTenantDomain, fakeauthority.DefaultTenantID, "https://login.microsoftonline.com/" + fakeauthority.DefaultTenantID + "/v2.0"},
		{"CONTOSO.onmicrosoft.com", fakeauthority.DefaultTenantID, "https://login.microsoftonline.com/" + fakeauthority.DefaultTenantID + "/v2.0"},
	}
	fa := fakeauthority.New(nil)
	for _, tt := range tests {
		t.Run(tt.tenant, func(t *testing.T) {
			status, doc := get(t, fa, fa.AuthorityURL(tt.tenant)+"/v2.0/.well-known/openid-configuration")
			if status != 200 || doc["issuer"] != tt.wantIssuer {
				t.Fatalf("status %d issuer %v, want %s", status, doc["issuer"], tt.wantIssuer)
			}
			base := fa.AuthorityURL(tt.endpointTenant)
			for k, v := range map[string]string{
				"authorization_endpoint": base + "/oauth2/v2.0/authorize", "token_endpoint": base + "/oauth2/v2.0/token",
				"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode", "end_session_endpoint": base + "/oauth2/v2.0/logout",
				"jwks_uri": base + "/discovery/v2.0/keys",
			} {
				if doc[k] != v {
					t.Errorf("%s = %v, want %s", k, doc[k], v)
				}
			}
		})
	}
	status, body := get(t, fa, fa.AuthorityURL("nosuchtenant.example")+"/v2.0/.well-known/openid-configuration")
	wantError(t, status, body, 400, "invalid_tenant", 90002)
}

func TestHostFollowsRequest(t *testing.T) {
	fa := fakeauthority.New(nil)
	_, doc := get(t, fa, "https://login.microsoftonline.us/common/v2.0/.well-known/openid-configuration")
	if doc["issuer"] != "https://login.microsoftonline.us/{tenantid}/v2.0" {
		t.Errorf("issuer %v does not follow the request's host", doc["issuer"])
	}
	fixed := fakeauthority.New(&fakeauthority.Options{Host: "fake.example:8443"})
	_, doc = get(t, fixed, "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration")
	if doc["token_endpoint"] != "https://fake.example:8443/common/oauth2/v2.0/token" {
		t.Errorf("token_endpoint %v does not follow Options.Host", doc["token_endpoint"])
	}
}

func TestInstanceDiscovery(t *testing.T) {
	fa := fakeauthority.New(nil)
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {"https://login.microsoftonline.com/common/oauth2/v2.0/authorize"}}
	status, body := get(t, fa, fa.URL()+"/common/discovery/instance?"+q.Encode())
	if status != 200 || body["tenant_discovery_endpoint"] != "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration" {
		t.Fatalf("status %d body %v", status, body)
	}
	meta := body["metadata"].([]any)[0].(map[string]any)
	aliases := meta["aliases"].([]any)
	found := false
	for _, a := range aliases {
		found = found || a == "login.microsoftonline.com"
	}
	if !found {
		t.Errorf("aliases %v lack the authority's host", aliases)
	}
	q.Set("authorization_endpoint", "https://evil.example/common/oauth2/v2.0/authorize")
	status, body = get(t, fa, fa.URL()+"/common/discovery/instance?"+q.Encode())
	wantError(t, status, body, 400, "invalid_instance", 50049)
}

func TestUserRealm(t *testing.T) {
	tests := []struct{ user, want string }{
		{fakeauthority.DefaultUsername, "Managed"},
		{fakeauthority.FederatedUsername, "Federated"},
		{"someone@unknown.example", "Unknown"},
	}
	fa := fakeauthority.New(nil)
	for _, tt := range tests {
		// MSAL Go spells the path UserRealm.
		status, body := get(t, fa, fa.URL()+"/common/UserRealm/"+url.PathEscape(tt.user)+"?api-version=1.0")
		if status != 200 || body["account_type"] != tt.want {
			t.Errorf("%s: status %d account_type %v, want %s", tt.user, status, body["account_type"], tt.want)
		}
		if tt.want == "Federated" && body["federation_metadata_url"] == nil {
			t.Errorf("federated realm lacks federation_metadata_url")
		}
	}
}

// TestIDTokenVerifiesWithJWKSAcrossRotation verifies tokens with the
// published JWKS, before and after a key rotation.
func TestIDTokenVerifiesWithJWKSAcrossRotation(t *testing.T) {
	fa := fakeauthority.New(nil)
	tok := tenantURL(fa) + "/oauth2/v2.0/token"
	_, before := post(t, fa, tok, passwordForm("openid"))
	newKID := fa.RotateKey()
	_, after := post(t, fa, tok, passwordForm("openid"))
	if kid := header(t, after["id_token"].(string))["kid"]; kid != newKID {
		t.Errorf("after rotation kid %v, want %s", kid, newKID)
	}
	set := fetchJWKS(t, fa)
	if set.Len() != 2 {
		t.Fatalf("JWKS has %d keys after rotation, want 2", set.Len())
	}
	for _, body := range []map[string]any{before, after} {
		if err := set.verify(body["id_token"].(string), true); err != nil {
			t.Errorf("ID token does not verify with the JWKS: %v", err)
		}
	}
	if !fa.RetireKey(header(t, before["id_token"].(string))["kid"].(string)) {
		t.Fatal("RetireKey failed")
	}
	set = fetchJWKS(t, fa)
	if err := set.verify(before["id_token"].(string), true); err == nil {
		t.Error("token of a retired key still verifies")
	}
}

// TestJWKSShape: every key has Entra's fields, and x5c holds a
// certificate for the same public key, with x5t its SHA-1 thumbprint.
func TestJWKSShape(t *testing.T) {
	fa := fakeauthority.New(nil)
	fa.RotateKey()
	status, body := get(t, fa, fa.AuthorityURL("organizations")+"/discovery/v2.0/keys")
	keys, _ := body["keys"].([]any)
	if status != 200 || len(keys) != 2 {
		t.Fatalf("status %d, %d keys", status, len(keys))
	}
	for _, k := range keys {
		m := k.(map[string]any)
		for _, f := range []string{"kty", "use", "kid", "x5t", "n", "e", "x5c", "issuer", "alg"} {
			if m[f] == nil {
				t.Errorf("key lacks %s", f)
			}
		}
		if m["issuer"] != "https://login.microsoftonline.com/{tenantid}/v2.0" || m["use"] != "sig" || m["kty"] != "RSA" {
			t.Errorf("key %v", m)
		}
		der, err := base64.StdEncoding.DecodeString(m["x5c"].([]any)[0].(string))
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || base64.RawURLEncoding.EncodeToString(pub.N.Bytes()) != m["n"] {
			t.Error("x5c certificate is not for the key's modulus")
		}
		sum := sha1.Sum(der)
		if base64.RawURLEncoding.EncodeToString(sum[:]) != m["x5t"] {
			t.Error("x5t is not the certificate's SHA-1 thumbprint")
		}
	}
}
