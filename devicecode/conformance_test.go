package devicecode_test

import (
	"context"
	"testing"

	"github.com/entraauth/entraauth/conformance"
	"github.com/entraauth/entraauth/devicecode"
)

// TestConformance runs the conformance kit against the device code
// credential: the user approves the code shown by the prompt.
func TestConformance(t *testing.T) { conformance.TestCredential(t, deviceCodeConfig()) }

// TestConformanceCIAM runs the same checks against a CIAM authority,
// https://contoso.ciamlogin.com with no tenant path.
func TestConformanceCIAM(t *testing.T) {
	conformance.TestCredential(t, conformance.CIAM(deviceCodeConfig()))
}

func deviceCodeConfig() conformance.Config {
	return conformance.Config{
		Name:        "device code",
		Interactive: true,
		New: func(t testing.TB, env *conformance.Env) conformance.Subject {
			c, err := devicecode.New("", &devicecode.Options{
				ClientOptions: env.Options,
				UserPrompt: func(ctx context.Context, m devicecode.Message) error {
					return env.DeviceCodeShown(ctx, m.UserCode)
				},
			})
			if err != nil {
				t.Fatalf("devicecode.New: %v", err)
			}
			return conformance.Subject{Credential: c, Authenticate: c.Authenticate}
		},
	}
}
