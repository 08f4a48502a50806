package msalgo

import (
	"context"
	"sync"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/entraauth/entraauth/conformance"
)

// memStore is an MSAL cache kept in memory, shared by the adapters of one
// check (as a file would be between two programs).
type memStore struct {
	mu   sync.Mutex
	data []byte
}

func (s *memStore) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return u.Unmarshal(s.data)
}

func (s *memStore) Export(_ context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	b, err := m.Marshal()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = b
	return err
}

// msalExpected are the checks MSAL Go v1.10.1 fails, each with its reason.
var msalExpected = map[string]string{
	"cached-until-expiry":               "the first silent call of a client asks instance discovery (GET /common/discovery/instance) although a token is cached",
	"refresh-at-refresh-on":             "the first silent call of a client asks instance discovery although a token is cached",
	"single-flight":                     "no single-flight: each concurrent caller that misses the cache starts its own sign-in (1,000 device codes)",
	"cae-kept-apart":                    "client capabilities are per client, not per request, and the cache key does not tell CAE tokens apart: a non-CAE request is served the CAE token",
	"tenant-gating":                     "no AdditionallyAllowedTenants: any WithTenantID is requested (discovery for the other tenant), nothing refused locally",
	"cancel-waiting-for-other-caller":   "no single-flight: the second caller starts a second sign-in instead of waiting",
	"refresh-different-sub":             "a refresh's ID token is not compared with the account's (OIDC Core 12.2)",
	"id-token-bad-signature":            "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-alg-none":                 "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-hs256-public-key":         "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-unknown-kid":              "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-missing-kid-several-keys": "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-wrong-issuer":             "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-wrong-audience":           "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-expired-bad-signature":    "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-expired":                  "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-crit-header":              "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-embedded-key":             "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-iat-future":               "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"id-token-missing-sub":              "MSAL Go does not validate ID tokens (signature, alg, kid, iss, aud, exp, iat, sub, crit): it decodes the payload only",
	"new-process-silent":                "AcquireTokenSilent takes an account the application must pick (Accounts); with no record nothing picks one, so a new client over the same stored cache signs in again",
}

// TestConformance runs the conformance kit against MSAL Go's public
// client, through the adapter, with the device code flow.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	stores := map[any]*memStore{} // by the check's cache: copies of one Env share it
	conformance.TestCredential(t, conformance.Config{
		Name:             "MSAL Go",
		Interactive:      true,
		ExpectedFailures: msalExpected,
		New: func(t testing.TB, env *conformance.Env) conformance.Subject {
			mu.Lock()
			key := any(env.Options.Cache)
			s := stores[key]
			if s == nil {
				s = &memStore{}
				stores[key] = s
			}
			mu.Unlock()
			// A check that gives the credential a cache of its own (the
			// new-process check: a new cache object over the same file)
			// has MSAL Go read and write that cache, so a second client
			// sees what the first stored, as a second run would.
			var store cache.ExportReplace = s
			if env.Options.Cache != nil {
				store = ours{env.Options.Cache}
			}
			c, err := New("", env.Options, store, env.DeviceCodeShown)
			if err != nil {
				t.Fatalf("adapter: %v", err)
			}
			return conformance.Subject{Credential: c, Authenticate: c.Authenticate}
		},
	})
}
