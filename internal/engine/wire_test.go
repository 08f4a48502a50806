package engine

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

// rtFunc is an in-process transport: no socket, so it works in synctest.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func reply(status int, hdr http.Header, body string) *http.Response {
	if hdr == nil {
		hdr = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: hdr, Body: io.NopCloser(strings.NewReader(body))}
}

type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	at   []time.Time
}

func (r *recorder) add(req *http.Request) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	r.at = append(r.at, time.Now())
	return len(r.reqs)
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestWireHeadersAndForm(t *testing.T) {
	var rec recorder
	var body string
	w := newWire(&http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		rec.add(r)
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		return reply(200, nil, `{}`), nil
	})}, nil, false)
	if _, err := w.do(context.Background(), "token", "POST", "https://h/t/oauth2/v2.0/token", url.Values{"a": {"b c"}}); err != nil {
		t.Fatal(err)
	}
	r := rec.reqs[0]
	for h, want := range map[string]string{
		"x-client-sku": clientSKU, "x-client-ver": clientVersion, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if r.Header.Get("x-client-os") == "" {
		t.Error("x-client-os missing")
	}
	if id := r.Header.Get("client-request-id"); !uuidV4.MatchString(id) {
		t.Errorf("client-request-id %q is not a v4 UUID", id)
	}
	if body != "a=b+c" {
		t.Errorf("body = %q", body)
	}
	if a, b := newRequestID(), newRequestID(); a == b {
		t.Error("request IDs repeat")
	}
}

func TestWireRetry(t *testing.T) {
	tests := []struct {
		name     string
		first    func() (*http.Response, error)
		attempts int
		wait     time.Duration
	}{
		{"503 retried once", func() (*http.Response, error) { return reply(503, nil, ``), nil }, 2, defaultRetryAfter},
		{"500 retried at once", func() (*http.Response, error) { return reply(500, nil, ``), nil }, 2, 0},
		{"408 retried", func() (*http.Response, error) { return reply(408, nil, ``), nil }, 2, 0},
		{"429 honours Retry-After", func() (*http.Response, error) {
			return reply(429, http.Header{"Retry-After": {"3"}}, ``), nil
		}, 2, 3 * time.Second},
		{"429 beyond the cap is not retried", func() (*http.Response, error) {
			return reply(429, http.Header{"Retry-After": {"120"}}, ``), nil
		}, 1, 0},
		{"connection reset retried", func() (*http.Response, error) { return nil, syscall.ECONNRESET }, 2, 0},
		{"400 not retried", func() (*http.Response, error) { return reply(400, nil, `{"error":"invalid_grant"}`), nil }, 1, 0},
		{"unknown authority not retried", func() (*http.Response, error) { return nil, x509.UnknownAuthorityError{} }, 1, 0},
		{"unknown host not retried", func() (*http.Response, error) { return nil, &net.DNSError{IsNotFound: true} }, 1, 0},
		{"cancelled not retried", func() (*http.Response, error) { return nil, context.Canceled }, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var rec recorder
				w := newWire(&http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
					if rec.add(r) == 1 {
						return tt.first()
					}
					return reply(200, nil, `{"ok":1}`), nil
				})}, nil, false)
				_, _ = w.do(context.Background(), "token", "POST", "https://h/token", url.Values{})
				if len(rec.reqs) != tt.attempts {
					t.Fatalf("%d attempts, want %d", len(rec.reqs), tt.attempts)
				}
				if tt.attempts == 2 {
					if a, b := rec.reqs[0].Header.Get("client-request-id"), rec.reqs[1].Header.Get("client-request-id"); a != b {
						t.Errorf("client-request-id changed on retry: %s, %s", a, b)
					}
					if got := rec.at[1].Sub(rec.at[0]); got != tt.wait {
						t.Errorf("waited %v, want %v", got, tt.wait)
					}
				}
			})
		})
	}
}

func TestWireBoundsAndRedirects(t *testing.T) {
	big := strings.Repeat("x", maxBody+10)
	var hits []string
	w := newWire(&http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		hits = append(hits, r.URL.Host)
		switch r.URL.Path {
		case "/big":
			return reply(200, nil, big), nil
		default:
			return reply(307, http.Header{"Location": {"https://other.example/token"}}, ``), nil
		}
	})}, nil, false)
	_, err := w.do(context.Background(), "token", "POST", "https://h/big", url.Values{})
	var e *oauth.Error
	if !errors.As(err, &e) || !errors.Is(err, oauth.ErrInvalidResponse) || !strings.Contains(e.Description, "1 MiB") {
		t.Errorf("oversized body: %v", err)
	}
	resp, err := w.do(context.Background(), "token", "POST", "https://h/redirect", url.Values{"password": {"p"}})
	if err != nil || resp.status != 307 {
		t.Fatalf("redirect: %v %v", resp, err)
	}
	for _, h := range hits {
		if h == "other.example" {
			t.Error("a redirect was followed to another host")
		}
	}
}

func TestWireContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(&http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		})}, nil, false)
		start := time.Now()
		_, err := w.do(context.Background(), "token", "GET", "https://h/common/userrealm/alice@x?api-version=1.0", nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d != defaultTimeout {
			t.Errorf("gave up after %v, want the default %v", d, defaultTimeout)
		}
		if strings.Contains(err.Error(), "alice") {
			t.Errorf("error names the user: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start = time.Now()
		if _, err := w.do(ctx, "token", "GET", "https://h/x", nil); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Errorf("caller deadline: %v after %v", err, time.Since(start))
		}
	})
}
