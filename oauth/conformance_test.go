package oauth_test

import (
	"testing"

	"github.com/entraauth/entraauth/conformance"
	"github.com/entraauth/entraauth/oauth"
)

// TestConformance runs the conformance kit against the password
// credential (no user step).
func TestConformance(t *testing.T) { conformance.TestCredential(t, passwordConfig()) }

// TestConformanceCIAM runs the same checks against a CIAM authority,
// https://contoso.ciamlogin.com with no tenant path.
func TestConformanceCIAM(t *testing.T) {
	conformance.TestCredential(t, conformance.CIAM(passwordConfig()))
}

func passwordConfig() conformance.Config {
	return conformance.Config{
		Name: "password",
		New: func(t testing.TB, env *conformance.Env) conformance.Subject {
			c, err := oauth.NewPasswordCredential("", env.Username, env.Password, &env.Options)
			if err != nil {
				t.Fatalf("oauth.NewPasswordCredential: %v", err)
			}
			return conformance.Subject{Credential: c, Authenticate: c.Authenticate}
		},
	}
}
