package devicecode_test

import (
	"context"
	"errors"
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
			Prompt: func(context.Context, devicecode.Message) error { prompted = true; return nil },
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
