package fakeauthority_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// rawPost posts and returns status, headers' Retry-After and raw body.
func rawPost(t *testing.T, fa *fakeauthority.Authority, u string, form url.Values) (int, string, []byte, error) {
	t.Helper()
	resp, err := fa.Client().PostForm(u, form)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), b, nil
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault fakeauthority.Fault
		check func(t *testing.T, status int, retryAfter string, body []byte, err error)
	}{
		{"AADSTS by code", fakeauthority.AADSTSError(65001), func(t *testing.T, status int, _ string, body []byte, err error) {
			var m map[string]any
			_ = json.Unmarshal(body, &m)
			if status != 400 || m["error"] != "invalid_grant" || m["suberror"] != "consent_required" || !strings.HasPrefix(m["error_description"].(string), "AADSTS65001:") {
				t.Errorf("status %d body %s", status, body)
			}
		}},
		{"throttle", fakeauthority.Throttle(30 * time.Second), func(t *testing.T, status int, ra string, body []byte, err error) {
			if status != 429 || ra != "30" || !strings.Contains(string(body), "AADSTS90055") {
				t.Errorf("status %d Retry-After %q body %s", status, ra, body)
			}
		}},
		{"server error", fakeauthority.ServerError(503), func(t *testing.T, status int, _ string, body []byte, err error) {
			if status != 503 || !strings.Contains(string(body), "temporarily_unavailable") {
				t.Errorf("status %d body %s", status, body)
			}
		}},
		{"html page", fakeauthority.HTMLPage(0), func(t *testing.T, status int, _ string, body []byte, err error) {
			if status != 200 || !strings.HasPrefix(string(body), "<!DOCTYPE html>") {
				t.Errorf("status %d body %.80s", status, body)
			}
		}},
		{"truncated JSON", fakeauthority.TruncatedJSON(), func(t *testing.T, status int, _ string, body []byte, err error) {
			if status != 200 || json.Valid(body) || !strings.HasPrefix(string(body), `{"token_type"`) {
				t.Errorf("status %d body %s", status, body)
			}
		}},
		{"oversized", fakeauthority.OversizedBody(3 << 20), func(t *testing.T, status int, _ string, body []byte, err error) {
			if status != 200 || len(body) != 3<<20 {
				t.Errorf("status %d, %d bytes, want %d", status, len(body), 3<<20)
			}
		}},
		{"dropped connection", fakeauthority.DropConnection(), func(t *testing.T, status int, _ string, body []byte, err error) {
			if !errors.Is(err, fakeauthority.ErrConnectionDropped) {
				t.Errorf("err %v, want ErrConnectionDropped", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := fakeauthority.New(nil)
			tok := tenantURL(fa) + "/oauth2/v2.0/token"
			fa.InjectFault(fakeauthority.EndpointToken, tt.fault)
			status, ra, body, err := rawPost(t, fa, tok, passwordForm("User.Read"))
			tt.check(t, status, ra, body, err)
			// One-shot: the next request is served normally, and both counted.
			if status, _, body, err := rawPost(t, fa, tok, passwordForm("User.Read")); status != 200 || err != nil {
				t.Errorf("after the fault: %d %v %s", status, err, body)
			}
			if n := fa.Count(fakeauthority.EndpointToken); n != 2 {
				t.Errorf("token counter %d, want 2", n)
			}
		})
	}
}

func TestFaultTimesAndEndpoints(t *testing.T) {
	fa := fakeauthority.New(nil)
	fa.InjectFault(fakeauthority.EndpointDiscovery, fakeauthority.Fault{AADSTS: 90033, Status: 500, Times: 2})
	fa.InjectFault(fakeauthority.EndpointDiscovery, fakeauthority.HTMLPage(502))
	u := fa.AuthorityURL("common") + "/v2.0/.well-known/openid-configuration"
	want := []int{500, 500, 502, 200}
	for i, w := range want {
		resp, err := fa.Client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != w {
			t.Errorf("request %d: status %d, want %d", i, resp.StatusCode, w)
		}
	}
	fa.InjectFault(fakeauthority.EndpointKeys, fakeauthority.Fault{Status: 500, Times: -1})
	for range 3 {
		resp, _ := fa.Client().Get(fa.AuthorityURL("common") + "/discovery/v2.0/keys")
		resp.Body.Close()
		if resp.StatusCode != 500 {
			t.Fatalf("persistent fault stopped: %d", resp.StatusCode)
		}
	}
	fa.ClearFaults()
	resp, _ := fa.Client().Get(fa.AuthorityURL("common") + "/discovery/v2.0/keys")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after ClearFaults: %d", resp.StatusCode)
	}
}

// TestDelayFault runs in a synctest bubble: the delay passes on the fake
// clock, and a context deadline shorter than the delay ends the request.
func TestDelayFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fa := fakeauthority.New(nil)
		tok := tenantURL(fa) + "/oauth2/v2.0/token"
		fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Delay(10*time.Second))
		start := time.Now()
		status, _, _, err := rawPost(t, fa, tok, passwordForm("User.Read"))
		if err != nil || status != 200 || time.Since(start) != 10*time.Second {
			t.Errorf("delayed request: %d %v after %v, want 200 after 10s", status, err, time.Since(start))
		}
		fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Delay(time.Minute))
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		req, _ := newFormRequest(ctx, tok, passwordForm("User.Read"))
		if _, err := fa.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err %v, want the context deadline", err)
		}
	})
}
