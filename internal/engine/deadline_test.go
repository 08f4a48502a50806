package engine_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/oauth"
)

// hang is a transport whose requests to paths containing path are
// accepted and never answered: it returns only when the request's context
// ends. Other requests go to next.
type hang struct {
	next http.RoundTripper
	path string
}

func (h hang) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, h.path) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return h.next.RoundTrip(r)
}

// requestTimeout is the longest any one request may wait for an answer.
const requestTimeout = 30 * time.Second

// TestEveryRequestHasADeadline: a token, user realm, key set or instance
// discovery endpoint that accepts and never answers fails the call within
// the client's per-request timeout, under context.Background() and under
// a caller's deadline an hour away alike.
func TestEveryRequestHasADeadline(t *testing.T) {
	endpoints := []struct{ name, path string }{
		{"token", "/oauth2/v2.0/token"},
		{"user realm", "/userrealm/"},
		{"key set", "/discovery/v2.0/keys"},
		{"instance discovery", "/common/discovery/instance"},
	}
	contexts := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"background", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }},
		{"deadline in an hour", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Hour)
		}},
	}
	for _, ep := range endpoints {
		for _, cx := range contexts {
			t.Run(ep.name+"/"+cx.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					// A host of its own, so instance discovery is not
					// served from the per-process cache.
					host := "login." + strings.ReplaceAll(ep.name, " ", "-") + "-" + strings.ReplaceAll(cx.name, " ", "-") + ".deadline-test.example"
					a := fa.New(&fa.Options{Host: host})
					c := newPassword(t, a, fa.DefaultUsername, func(o *oauth.ClientOptions) {
						o.AuthorityHost = "https://" + host
						o.HTTPClient = &http.Client{Transport: hang{a.Client().Transport, ep.path}}
					})
					ctx, cancel := cx.ctx()
					defer cancel()
					start := time.Now()
					_, err := c.GetToken(ctx, graph)
					elapsed := time.Since(start)
					// The ID token check reports a key set failure as text
					// only, so the chain is checked where it is kept.
					if err == nil || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "deadline exceeded") {
						t.Fatalf("GetToken = %v, want a deadline error", err)
					}
					if elapsed > requestTimeout {
						t.Errorf("GetToken gave up after %v, want at most %v", elapsed, requestTimeout)
					}
				})
			})
		}
	}
}

// TestPostFormHasADeadline: a flow's own request (the device
// authorization POST) through Client.PostForm is bounded like the
// engine's, even when the caller's deadline is an hour away.
func TestPostFormHasADeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := fa.New(nil)
		c, err := engine.New("", &oauth.ClientOptions{HTTPClient: &http.Client{Transport: hang{a.Client().Transport, "/devicecode"}}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		start := time.Now()
		_, _, err = c.PostForm(ctx, "devicecode", a.URL()+"/organizations/oauth2/v2.0/devicecode", nil)
		if elapsed := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || elapsed > requestTimeout {
			t.Fatalf("PostForm = %v after %v, want a deadline error within %v", err, elapsed, requestTimeout)
		}
	})
}
