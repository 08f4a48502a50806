package fakeauthority_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// tenantURL is the default tenant's authority URL on fa.
func tenantURL(fa *fakeauthority.Authority) string {
	return fa.AuthorityURL(fakeauthority.DefaultTenantID)
}

// post sends a form to url with fa's client and decodes the JSON answer.
func post(t *testing.T, fa *fakeauthority.Authority, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := fa.Client().PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	return decode(t, resp)
}

// get fetches url with fa's client and decodes the JSON answer.
func get(t *testing.T, fa *fakeauthority.Authority, u string) (int, map[string]any) {
	t.Helper()
	resp, err := fa.Client().Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return decode(t, resp)
}

func decode(t *testing.T, resp *http.Response) (int, map[string]any) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("status %d, body is not JSON: %v: %.200s", resp.StatusCode, err, b)
	}
	return resp.StatusCode, m
}

// passwordForm is a password grant for the default user.
func passwordForm(scope string) url.Values {
	return url.Values{
		"grant_type": {"password"}, "client_id": {fakeauthority.AzureCLIClientID},
		"username": {fakeauthority.DefaultUsername}, "password": {fakeauthority.DefaultPassword},
		"scope": {scope}, "client_info": {"1"},
	}
}

// claims decodes a JWT's payload without verifying it.
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return m
}

// header decodes a JWT's header.
func header(t *testing.T, jwt string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[0])
	if err != nil {
		t.Fatalf("JWT header: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JWT header: %v", err)
	}
	return m
}

// wantError checks an Entra error answer.
func wantError(t *testing.T, status int, body map[string]any, wantStatus int, wantErr string, wantCode int) {
	t.Helper()
	if status != wantStatus || body["error"] != wantErr {
		t.Fatalf("got status %d error %v (%v), want %d %s", status, body["error"], body["error_description"], wantStatus, wantErr)
	}
	codes, _ := body["error_codes"].([]any)
	if len(codes) != 1 || int(codes[0].(float64)) != wantCode {
		t.Errorf("error_codes = %v, want [%d]", body["error_codes"], wantCode)
	}
	desc, _ := body["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS") {
		t.Errorf("error_description %q does not start with AADSTS", desc)
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id", "error_uri"} {
		if s, _ := body[k].(string); s == "" {
			t.Errorf("error JSON lacks %s", k)
		}
	}
}

// newFormRequest builds a form POST bound to ctx.
func newFormRequest(ctx context.Context, u string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
