package loopback_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance"
	"github.com/entraauth/entraauth/loopback"
)

// TestConformance runs the conformance kit against the browser
// credential: a stand-in browser signs in at the fake authority and
// delivers the answer to the loopback listener.
func TestConformance(t *testing.T) { conformance.TestCredential(t, browserConfig()) }

// TestConformanceCIAM runs the same checks against a CIAM authority,
// https://contoso.ciamlogin.com with no tenant path.
func TestConformanceCIAM(t *testing.T) {
	conformance.TestCredential(t, conformance.CIAM(browserConfig()))
}

func browserConfig() conformance.Config {
	return conformance.Config{
		Name:        "browser (loopback)",
		Interactive: true,
		Listens:     true,
		New: func(t testing.TB, env *conformance.Env) conformance.Subject {
			c, err := loopback.New("", &loopback.Options{
				ClientOptions: env.Options,
				RedirectURI:   "http://127.0.0.1", // no name lookup: Go's resolver state cannot cross synctest bubbles
				OpenURL:       env.BrowserOpened,
				Output:        &bytes.Buffer{},
				Timeout:       20 * time.Minute,
			})
			if err != nil {
				t.Fatalf("loopback.New: %v", err)
			}
			return conformance.Subject{Credential: c, Authenticate: c.Authenticate}
		},
	}
}
