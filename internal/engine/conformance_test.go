package engine_test

import (
	"testing"

	"github.com/entraauth/entraauth/conformance"
	"github.com/entraauth/entraauth/password"
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
			c, err := password.New("", &password.Options{ClientOptions: env.Options, Username: env.Username, Password: env.Password})
			if err != nil {
				t.Fatalf("password.New: %v", err)
			}
			return conformance.Subject{Credential: c, Authenticate: c.Authenticate}
		},
	}
}
