package engine_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
	"github.com/entraauth/entraauth/password"
)

// formatVerbs are the verbs a log line or a debugging print may use.
var formatVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// assertNoSecret formats v with every verb and fails if any secret, or
// its hexadecimal form, shows.
func assertNoSecret(t *testing.T, name string, v any, secrets ...string) {
	t.Helper()
	for _, verb := range formatVerbs {
		out := fmt.Sprintf(verb, v)
		for _, s := range secrets {
			if strings.Contains(out, s) || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", s)) {
				t.Errorf("%s: Sprintf(%q) shows the secret %q: %s", name, verb, s, out)
			}
		}
	}
}

// TestFormatHidesSecrets: no fmt verb shows the password of a password
// credential, the tokens of a token result or an access token, and the
// options and request structs hold none to show.
func TestFormatHidesSecrets(t *testing.T) {
	const pw, at, rt, idt = "Pa$$w0rd!*hunter2", "eyJ0eXAi.AT-secret-value.sig", "M.C5_BAY.0.U.-Cq*RT!secret$", "eyJhbGci.ID-secret.sig"
	opts := &oauth.ClientOptions{HTTPClient: &http.Client{Transport: &http.Transport{
		Proxy: http.ProxyURL(&url.URL{Scheme: "http", User: url.UserPassword("proxyuser", pw), Host: "proxy.example:3128"})}},
		TenantID: fa.DefaultTenantID}
	cred, err := password.New("", &password.Options{ClientOptions: *opts, Username: fa.DefaultUsername, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	res := &engine.TokenResult{AccessToken: at, RefreshToken: rt, IDToken: idt, TokenType: "Bearer", Scopes: []string{"User.Read"}}
	tok := oauth.AccessToken{Token: at, ExpiresOn: time.Unix(1700000000, 0), TokenType: "Bearer"}
	for name, v := range map[string]any{
		"*password.Credential": cred, "password.Credential": *cred,
		"password.Options": password.Options{Username: fa.DefaultUsername, Password: pw},
		"*TokenResult":     res, "TokenResult": *res,
		"AccessToken": tok, "*AccessToken": &tok,
		"ClientOptions": *opts, "*ClientOptions": opts,
		"InteractiveRequest": engine.InteractiveRequest{Scopes: []string{"User.Read"}, LoginHint: fa.DefaultUsername},
		"[]AccessToken":      []oauth.AccessToken{tok},
		"struct field":       struct{ Tok oauth.AccessToken }{tok},
	} {
		assertNoSecret(t, name, v, pw, at, rt, idt)
	}
	// What is shown is still useful: the user, the type, the lifetime.
	if s := fmt.Sprint(cred); !strings.Contains(s, fa.DefaultUsername) || !strings.Contains(s, "redacted") {
		t.Errorf("Sprint(credential) = %q, want the username and a redaction", s)
	}
	if s := fmt.Sprint(tok); !strings.Contains(s, "Bearer") || !strings.Contains(s, "2023") {
		t.Errorf("Sprint(token) = %q, want its type and expiry", s)
	}
}
