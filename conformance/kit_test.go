package conformance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/conformance"
	"github.com/entraauth/entraauth/oauth"
)

// naive is a careless password-grant client: no cache, no ID-token
// validation, no single-flight, no tenant gate. The kit must catch it.
type naive struct {
	env *conformance.Env
}

func (n naive) GetToken(ctx context.Context, o oauth.TokenOptions) (oauth.AccessToken, error) {
	tenant := n.env.Options.TenantID
	if o.TenantID != "" {
		tenant = o.TenantID
	}
	form := url.Values{"grant_type": {"password"}, "client_id": {oauth.AzureCLIClientID},
		"username": {n.env.Username}, "password": {n.env.Password}, "scope": {strings.Join(o.Scopes, " ") + " openid profile offline_access"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.env.Authority.AuthorityURL(tenant)+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		return oauth.AccessToken{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := n.env.Options.HTTPClient.Do(req)
	if err != nil {
		return oauth.AccessToken{}, err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &body); err != nil || body.AccessToken == "" {
		return oauth.AccessToken{}, fmt.Errorf("naive: HTTP %d %s", resp.StatusCode, body.Error)
	}
	return oauth.AccessToken{Token: body.AccessToken, ExpiresOn: time.Now().Add(time.Duration(body.ExpiresIn) * time.Second)}, nil
}

// TestKitCatchesACarelessClient runs the kit against naive, listing the
// checks it must fail: were any of them to pass, the kit would fail this
// test (an expected failure that passes is an error), so this proves
// each listed check can fail.
func TestKitCatchesACarelessClient(t *testing.T) {
	conformance.TestCredential(t, conformance.Config{
		Name:             "naive",
		ExpectedFailures: naiveFails,
		New: func(_ testing.TB, env *conformance.Env) conformance.Subject {
			return conformance.Subject{Credential: naive{env: env}}
		},
	})
}

var naiveFails = map[string]string{
	"cached-until-expiry":               "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"refresh-at-refresh-on":             "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"refresh-token-rotation":            "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"refresh-without-new-refresh-token": "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"single-flight":                     "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"claims-bypass-cache":               "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"cae-kept-apart":                    "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"tenant-gating":                     "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"disable-automatic-authentication":  "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"authenticate-record":               "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"new-process-silent":                "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"aadsts-error-intact":               "no cache, refresh token, single-flight, claims, capabilities, tenant gate or typed error",
	"id-token-bad-signature":            "no ID-token validation",
	"id-token-alg-none":                 "no ID-token validation",
	"id-token-hs256-public-key":         "no ID-token validation",
	"id-token-unknown-kid":              "no ID-token validation",
	"id-token-missing-kid-several-keys": "no ID-token validation",
	"id-token-wrong-issuer":             "no ID-token validation",
	"id-token-wrong-audience":           "no ID-token validation",
	"id-token-expired":                  "no ID-token validation",
	"id-token-crit-header":              "no ID-token validation",
	"id-token-embedded-key":             "no ID-token validation",
	"id-token-expired-bad-signature":    "no ID-token validation",
	"id-token-iat-future":               "no ID-token validation",
	"id-token-missing-sub":              "no ID-token validation",
	"refresh-different-sub":             "no ID-token validation",
	"fault-oversized-body":              "unbounded body read",
	"fault-never-answers":               "no deadline of its own under context.Background()",
}
