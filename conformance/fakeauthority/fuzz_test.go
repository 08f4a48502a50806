package fakeauthority_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// FuzzServe sends arbitrary paths and form bodies: the authority must not
// panic, must answer every JSON endpoint with JSON, and must stay within
// the status codes Entra uses.
func FuzzServe(f *testing.F) {
	f.Add("/organizations/oauth2/v2.0/token", "grant_type=password&client_id="+fakeauthority.AzureCLIClientID+"&username=a&password=b&scope=User.Read")
	f.Add("/common/oauth2/v2.0/token", "grant_type=refresh_token&refresh_token=x&scope=%00")
	f.Add("/organizations/oauth2/v2.0/devicecode", "client_id="+fakeauthority.AzureCLIClientID+"&scope=a/b/c%20d")
	f.Add("/organizations/oauth2/v2.0/token", "grant_type=authorization_code&code=fake.code.x&redirect_uri=http://localhost&code_verifier=")
	f.Add("/common/UserRealm/%ff%fe@x", "")
	f.Add("/organizations/login", "ctx=&action=cancel")
	fa := fakeauthority.New(&fakeauthority.Options{AutoApproveDevice: 1})
	f.Fuzz(func(t *testing.T, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?# \t\r\n") {
			return
		}
		req, err := http.NewRequest(http.MethodPost, "https://login.microsoftonline.com"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := fa.Client().Do(req)
		if err != nil {
			t.Fatalf("transport error: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		switch resp.StatusCode {
		case 200, 302, 400, 401, 404:
		default:
			t.Fatalf("status %d for %s", resp.StatusCode, path)
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && !json.Valid(b) {
			t.Fatalf("invalid JSON for %s: %s", path, b)
		}
	})
}

// FuzzRestore: Restore never panics; it gives an authority or an error
// that errors.Is ErrBadState, and a restored authority can save its state
// again.
func FuzzRestore(f *testing.F) {
	good, err := fakeauthority.New(nil).MarshalState()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte(`{"version":1,"keys":[{"kid":"k","pkcs8":"AAAA"}],"refresh_tokens":{"x":null},"device_codes":{"y":{}}}`))
	f.Add([]byte(`{"version":1,"users":[{}],"tenants":null,"seq":-1}`))
	f.Fuzz(func(t *testing.T, state []byte) {
		a, err := fakeauthority.Restore(state, nil)
		if err != nil {
			if a != nil || !errors.Is(err, fakeauthority.ErrBadState) {
				t.Fatalf("Restore = %v, %v; want nil and ErrBadState", a, err)
			}
			return
		}
		if _, err := a.MarshalState(); err != nil {
			t.Fatalf("MarshalState after Restore: %v", err)
		}
	})
}
