package devicecode_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

// silentDeviceEndpoint accepts device authorization requests and never
// answers: RoundTrip returns only when the request's context ends.
type silentDeviceEndpoint struct{ next http.RoundTripper }

func (s silentDeviceEndpoint) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/devicecode") {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return s.next.RoundTrip(r)
}

// TestDeviceAuthorizationHasADeadline: a device authorization endpoint
// that never answers fails the sign-in within the client's request
// timeout (30 s) even under context.Background(), before any prompt.
func TestDeviceAuthorizationHasADeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fa := fakeauthority.New(nil)
		prompted := false
		cred, err := devicecode.New("", &devicecode.Options{
			ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), TenantID: fakeauthority.DefaultTenantID,
				HTTPClient: &http.Client{Transport: silentDeviceEndpoint{fa.Client().Transport}}},
			UserPrompt: func(context.Context, devicecode.Message) error { prompted = true; return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: scopes})
		elapsed := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) || prompted {
			t.Fatalf("GetToken = %v (prompted: %v), want a deadline error and no prompt", err, prompted)
		}
		if elapsed > 30*time.Second {
			t.Errorf("GetToken gave up after %v, want at most 30s", elapsed)
		}
	})
}

// cutTokenBody cuts every token endpoint response after n bytes.
type cutTokenBody struct {
	next http.RoundTripper
	n    int
}

func (c cutTokenBody) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
		return resp, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b = b[:min(c.n, len(b))]
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestTruncatedDeviceCodeTokenResponse: the device code grant's token
// response, cut inside a consumer refresh token ('*', '!', '$'), fails the
// sign-in with an error that quotes no piece of it.
func TestTruncatedDeviceCodeTokenResponse(t *testing.T) {
	const rt = "M.C544_BAY.0.U.-CqZx*Wv!Pn$Lk9Yt*Rs!Qm$Hb7Gd!Fc*Ej$"
	for _, n := range []int{30, 41, 47, 55} {
		synctest.Test(t, func(t *testing.T) {
			fa := fakeauthority.New(&fakeauthority.Options{DeviceInterval: time.Second, AutoApproveDevice: time.Millisecond})
			fa.SetTokenResponseHook(func(m map[string]any) {
				for k := range m {
					delete(m, k)
				}
				m["refresh_token"], m["token_type"] = rt, "Bearer"
			})
			cred, err := devicecode.New("", &devicecode.Options{
				ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), TenantID: fakeauthority.DefaultTenantID,
					HTTPClient: &http.Client{Transport: cutTokenBody{fa.Client().Transport, n}}},
				UserPrompt: func(context.Context, devicecode.Message) error { return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: scopes})
			if err == nil {
				t.Fatalf("cut at %d: GetToken succeeded", n)
			}
			if !errors.Is(err, oauth.ErrInvalidResponse) || !strings.Contains(err.Error(), "refresh_token") {
				t.Fatalf("cut at %d: GetToken = %v, want the cut token response's error", n, err)
			}
			for i := 0; i+5 <= len(rt); i++ {
				if strings.Contains(err.Error(), rt[i:i+5]) {
					t.Fatalf("cut at %d: error quotes %q: %v", n, rt[i:i+5], err)
				}
			}
		})
	}
}

// TestPromptContextEndsWithTheCode: a prompt that waits on its context
// (a UI waiting for a click) is released when the user code expires, so
// the sign-in ends even under context.Background().
func TestPromptContextEndsWithTheCode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fa := fakeauthority.New(&fakeauthority.Options{DeviceCodeLifetime: 2 * time.Minute})
		var expires time.Time
		cred, err := devicecode.New("", &devicecode.Options{
			ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), TenantID: fakeauthority.DefaultTenantID, HTTPClient: fa.Client()},
			UserPrompt: func(ctx context.Context, m devicecode.Message) error {
				expires = m.ExpiresOn
				<-ctx.Done()
				return ctx.Err()
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cred.GetToken(context.Background(), oauth.TokenOptions{Scopes: scopes})
		if !errors.Is(err, context.DeadlineExceeded) || time.Now().After(expires) {
			t.Fatalf("GetToken = %v at %v, want the prompt's deadline error by %v", err, time.Now(), expires)
		}
	})
}
