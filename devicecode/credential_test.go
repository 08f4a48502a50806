package devicecode_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/oauth"
)

var scopes = []string{"https://graph.microsoft.com/User.Read"}

// harness is one device code sign-in against an in-memory fake authority.
type harness struct {
	fa      *fakeauthority.Authority
	cred    *devicecode.Credential
	mu      sync.Mutex
	prompts []devicecode.Message
	start   time.Time // when the prompt was shown
	onShow  func(m devicecode.Message)
}

func newHarness(t *testing.T, opts *fakeauthority.Options, hc *http.Client) *harness {
	t.Helper()
	h := &harness{fa: fakeauthority.New(opts)}
	if hc == nil {
		hc = h.fa.Client()
	}
	cred, err := devicecode.New("", &devicecode.Options{
		ClientOptions: oauth.ClientOptions{AuthorityHost: h.fa.URL(), TenantID: fakeauthority.DefaultTenantID, HTTPClient: hc},
		UserPrompt: func(ctx context.Context, m devicecode.Message) error {
			h.mu.Lock()
			h.prompts = append(h.prompts, m)
			h.start = time.Now()
			h.mu.Unlock()
			if h.onShow != nil {
				h.onShow(m)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.cred = cred
	return h
}

// approveAt approves the shown code d after the prompt, as a user would.
func (h *harness) approveAt(t *testing.T, d time.Duration) {
	h.onShow = func(m devicecode.Message) {
		time.AfterFunc(d, func() {
			if err := h.fa.ApproveDevice(m.UserCode, fakeauthority.DefaultUsername); err != nil {
				t.Errorf("ApproveDevice: %v", err)
			}
		})
	}
}

// polls returns the times of the device-code token requests, counted from
// the device authorization request.
func (h *harness) polls() []time.Duration {
	dc := h.fa.RequestsTo(fakeauthority.EndpointDeviceCode)
	if len(dc) == 0 {
		return nil
	}
	var out []time.Duration
	for _, r := range h.fa.RequestsTo(fakeauthority.EndpointToken) {
		if strings.Contains(r.GrantType, "device_code") {
			out = append(out, r.Time.Sub(dc[0].Time))
		}
	}
	return out
}

func secs(ss ...float64) []time.Duration {
	var out []time.Duration
	for _, s := range ss {
		out = append(out, time.Duration(s*float64(time.Second)))
	}
	return out
}

// TestPolling runs every polling rule of RFC 8628 §3.5 end to end, on the
// synctest clock, and asserts the exact time of each poll.
func TestPolling(t *testing.T) {
	tests := []struct {
		name    string
		opts    fakeauthority.Options
		setup   func(h *harness, t *testing.T)
		want    []time.Duration
		wantErr func(error) bool // nil = success
		wantEnd time.Duration    // when GetToken returned, from the prompt
	}{
		{name: "pending until approved", opts: fakeauthority.Options{DeviceInterval: 5 * time.Second},
			setup: func(h *harness, t *testing.T) { h.approveAt(t, 12*time.Second) },
			want:  secs(5, 10, 15), wantEnd: 15 * time.Second},
		{name: "server interval is obeyed", opts: fakeauthority.Options{DeviceInterval: 7 * time.Second},
			setup: func(h *harness, t *testing.T) { h.approveAt(t, 20*time.Second) },
			want:  secs(7, 14, 21), wantEnd: 21 * time.Second},
		{name: "slow_down adds 5s for good", opts: fakeauthority.Options{DeviceInterval: 5 * time.Second},
			setup: func(h *harness, t *testing.T) {
				h.fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Fault{AADSTS: 70016, Error: "slow_down", Times: 2})
				h.approveAt(t, 40*time.Second)
			},
			want: secs(5, 15, 30, 45), wantEnd: 45 * time.Second},
		{name: "declined stops", opts: fakeauthority.Options{DeviceInterval: 5 * time.Second},
			setup: func(h *harness, t *testing.T) {
				h.onShow = func(m devicecode.Message) {
					time.AfterFunc(7*time.Second, func() { h.fa.DeclineDevice(m.UserCode) })
				}
			},
			want: secs(5, 10), wantErr: func(err error) bool { return errors.Is(err, oauth.ErrDeclined) }, wantEnd: 10 * time.Second},
		{name: "access_denied stops", opts: fakeauthority.Options{DeviceInterval: 5 * time.Second},
			setup: func(h *harness, t *testing.T) {
				h.fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Fault{AADSTS: 65004, Error: "access_denied", Times: 2})
			},
			want: secs(5), wantErr: func(err error) bool { return errors.Is(err, oauth.ErrDeclined) }, wantEnd: 5 * time.Second},
		{name: "expired_token stops", opts: fakeauthority.Options{DeviceInterval: 5 * time.Second},
			setup: func(h *harness, t *testing.T) {
				h.fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Fault{AADSTS: 70019, Error: "expired_token"})
			},
			want: secs(5), wantErr: func(err error) bool { return errors.Is(err, oauth.ErrExpired) }, wantEnd: 5 * time.Second},
		{name: "bad_verification_code stops", opts: fakeauthority.Options{DeviceInterval: 5 * time.Second},
			setup: func(h *harness, t *testing.T) {
				h.fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Fault{AADSTS: 70018, Error: "bad_verification_code", Times: 2})
			},
			want: secs(5), wantErr: func(err error) bool {
				var oe *oauth.Error
				return errors.As(err, &oe) && oe.Code == "bad_verification_code"
			}, wantEnd: 5 * time.Second},
		{name: "stops at expires_in without another poll", opts: fakeauthority.Options{DeviceInterval: 5 * time.Second, DeviceCodeLifetime: 12 * time.Second},
			want: secs(5, 10), wantErr: func(err error) bool { return errors.Is(err, oauth.ErrExpired) }, wantEnd: 12 * time.Second},
		{name: "dropped connections double the wait", opts: fakeauthority.Options{DeviceInterval: 2 * time.Second},
			setup: func(h *harness, t *testing.T) {
				// the engine retries a dropped connection once, at once;
				// each poll whose retry fails too doubles the next wait
				h.fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Fault{Drop: true, Times: 4})
				h.approveAt(t, time.Second)
			},
			want: secs(2, 2, 6, 6, 14), wantEnd: 14 * time.Second},
		{name: "an answer after a network error restores the interval", opts: fakeauthority.Options{DeviceInterval: 2 * time.Second},
			setup: func(h *harness, t *testing.T) {
				h.fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Fault{Drop: true, Times: 2})
				h.approveAt(t, 9*time.Second)
			},
			want: secs(2, 2, 6, 8, 10), wantEnd: 10 * time.Second},
		{name: "5xx doubles the wait", opts: fakeauthority.Options{DeviceInterval: 2 * time.Second},
			setup: func(h *harness, t *testing.T) {
				// the engine retries a 5xx once at once; then the poll
				// loop waits twice the interval
				h.fa.InjectFault(fakeauthority.EndpointToken, fakeauthority.Fault{Status: 500, Times: 2})
				h.approveAt(t, time.Second)
			},
			want: secs(2, 2, 6), wantEnd: 6 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, &tt.opts, nil)
				if tt.setup != nil {
					tt.setup(h, t)
				}
				tok, err := h.cred.GetToken(t.Context(), oauth.TokenOptions{Scopes: scopes})
				end := time.Since(h.start)
				if got := h.polls(); !slices.Equal(got, tt.want) {
					t.Errorf("polls at %v, want %v", got, tt.want)
				}
				if tt.wantErr == nil && (err != nil || tok.Token == "") {
					t.Errorf("GetToken() = %v, want a token", err)
				}
				if tt.wantErr != nil && !tt.wantErr(err) {
					t.Errorf("GetToken() error = %v (%T)", err, err)
				}
				if end != tt.wantEnd {
					t.Errorf("GetToken returned %v after the prompt, want %v", end, tt.wantEnd)
				}
			})
		})
	}
}

// TestPollingCancel: cancelling the context stops polling at once.
func TestPollingCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, &fakeauthority.Options{DeviceInterval: 5 * time.Second}, nil)
		ctx, cancel := context.WithCancel(t.Context())
		h.onShow = func(devicecode.Message) { time.AfterFunc(7*time.Second, cancel) }
		_, err := h.cred.GetToken(ctx, oauth.TokenOptions{Scopes: scopes})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("GetToken() error = %v, want context.Canceled", err)
		}
		if got := h.polls(); !slices.Equal(got, secs(5)) || time.Since(h.start) != 7*time.Second {
			t.Errorf("polls %v, returned at %v; want [5s] and 7s", got, time.Since(h.start))
		}
	})
}

// rewriteDevice is a transport that edits the device authorization
// response's JSON on its way to the client, for shapes the fake does not
// send itself (no interval, the older verification_url).
type rewriteDevice struct {
	next http.RoundTripper
	edit func(map[string]any)
}

func (rt rewriteDevice) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/devicecode") || resp.StatusCode != 200 {
		return resp, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	rt.edit(m)
	b, _ = json.Marshal(m)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return resp, nil
}

// TestResponseShapes: no interval means 5 s; verification_url is accepted;
// an http verification URI is refused before any prompt.
func TestResponseShapes(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(map[string]any)
		want    []time.Duration
		wantURI string
		wantErr string
	}{
		{"no interval", func(m map[string]any) { delete(m, "interval") }, secs(5), "https://login.microsoftonline.com/devicelogin", ""},
		{"verification_url", func(m map[string]any) { m["verification_url"] = m["verification_uri"]; delete(m, "verification_uri") },
			secs(1, 2), "https://login.microsoftonline.com/devicelogin", ""},
		{"http verification uri", func(m map[string]any) { m["verification_uri"] = "http://evil.example/device" }, nil, "", "not an https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fa := fakeauthority.New(&fakeauthority.Options{DeviceInterval: time.Second})
				hc := &http.Client{Transport: rewriteDevice{fa.Client().Transport, tt.edit}}
				h := newHarness(t, nil, hc)
				h.fa = fa
				h.cred, _ = devicecode.New("", &devicecode.Options{
					ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), TenantID: fakeauthority.DefaultTenantID, HTTPClient: hc},
					UserPrompt: func(_ context.Context, m devicecode.Message) error {
						h.prompts = append(h.prompts, m)
						time.AfterFunc(1500*time.Millisecond, func() { fa.ApproveDevice(m.UserCode, fakeauthority.DefaultUsername) })
						return nil
					},
				})
				_, err := h.cred.GetToken(t.Context(), oauth.TokenOptions{Scopes: scopes})
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) || len(h.prompts) != 0 {
						t.Errorf("GetToken() = %v after %d prompts, want %q before any prompt", err, len(h.prompts), tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := h.polls(); !slices.Equal(got, tt.want) {
					t.Errorf("polls at %v, want %v", got, tt.want)
				}
				if h.prompts[0].VerificationURI != tt.wantURI {
					t.Errorf("VerificationURI = %q, want %q", h.prompts[0].VerificationURI, tt.wantURI)
				}
			})
		})
	}
}

// TestCachedTokenNoPrompt: once signed in, GetToken and Authenticate are
// served from the cache, and a refresh token serves a new scope, with no
// prompt and no device authorization request.
func TestCachedTokenNoPrompt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, &fakeauthority.Options{DeviceInterval: time.Second, AutoApproveDevice: time.Millisecond}, nil)
		rec, err := h.cred.Authenticate(t.Context(), oauth.TokenOptions{Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Username != fakeauthority.DefaultUsername || rec.TenantID != fakeauthority.DefaultTenantID {
			t.Errorf("Authenticate() = %+v", rec)
		}
		tokens := h.fa.Count(fakeauthority.EndpointToken)
		if _, err := h.cred.GetToken(t.Context(), oauth.TokenOptions{Scopes: scopes}); err != nil {
			t.Fatal(err)
		}
		if n := h.fa.Count(fakeauthority.EndpointToken); n != tokens {
			t.Errorf("cached GetToken made %d token requests", n-tokens)
		}
		if _, err := h.cred.GetToken(t.Context(), oauth.TokenOptions{Scopes: []string{"https://management.azure.com/.default"}}); err != nil {
			t.Fatal(err)
		}
		if len(h.prompts) != 1 || h.fa.Count(fakeauthority.EndpointDeviceCode) != 1 {
			t.Errorf("%d prompts, %d device authorizations; want 1 and 1", len(h.prompts), h.fa.Count(fakeauthority.EndpointDeviceCode))
		}
	})
}

// TestPromptError: a failing prompt aborts before any poll.
func TestPromptError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fa := fakeauthority.New(nil)
		boom := errors.New("no terminal")
		cred, _ := devicecode.New("", &devicecode.Options{
			ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), HTTPClient: fa.Client()},
			UserPrompt:    func(context.Context, devicecode.Message) error { return boom },
		})
		_, err := cred.GetToken(t.Context(), oauth.TokenOptions{Scopes: scopes})
		if !errors.Is(err, boom) {
			t.Errorf("GetToken() error = %v, want %v", err, boom)
		}
		if n := fa.Count(fakeauthority.EndpointToken); n != 0 {
			t.Errorf("%d token requests after a failed prompt", n)
		}
	})
}

// TestDeviceCodeNeverShown: the device code is a polling credential; it
// must not reach the prompt or the log.
func TestDeviceCodeNeverShown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		fa := fakeauthority.New(&fakeauthority.Options{DeviceInterval: time.Second, AutoApproveDevice: time.Millisecond})
		var shown []string
		cred, _ := devicecode.New("", &devicecode.Options{
			ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), HTTPClient: fa.Client(), Logger: newDebugLogger(&logs)},
			UserPrompt: func(_ context.Context, m devicecode.Message) error {
				shown = append(shown, m.UserCode, m.VerificationURI, m.Message)
				return nil
			},
		})
		if _, err := cred.GetToken(t.Context(), oauth.TokenOptions{Scopes: scopes}); err != nil {
			t.Fatal(err)
		}
		dc := fa.RequestsTo(fakeauthority.EndpointToken)[0].Params.Get("device_code")
		if dc == "" {
			t.Fatal("no device_code was polled with")
		}
		if s := strings.Join(shown, "\n") + logs.String(); strings.Contains(s, dc) {
			t.Errorf("the device code appears in the prompt or the log")
		}
		if !strings.Contains(logs.String(), "devicecode: waiting for the user") {
			t.Errorf("debug log lacks the flow's events:\n%s", logs.String())
		}
	})
}

// TestDeviceAuthorizationErrors: Entra's errors come back as *oauth.Error:
// from the device authorization endpoint before any prompt; from the
// first poll (an app without public client flows: AADSTS7000218) at once.
func TestDeviceAuthorizationErrors(t *testing.T) {
	tests := []struct {
		name, clientID, tenant string
		aadsts                 int
		wantPrompt             bool
	}{
		{"public client flows disallowed", fakeauthority.WebClientID, fakeauthority.DefaultTenantID, 7000218, true},
		{"unknown tenant", "", "nosuch.onmicrosoft.com", 90002, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fa := fakeauthority.New(nil)
				prompted := false
				cred, err := devicecode.New(tt.clientID, &devicecode.Options{
					ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), TenantID: tt.tenant, HTTPClient: fa.Client()},
					UserPrompt:    func(context.Context, devicecode.Message) error { prompted = true; return nil },
				})
				if err != nil {
					t.Fatal(err)
				}
				_, err = cred.GetToken(t.Context(), oauth.TokenOptions{Scopes: scopes})
				var oe *oauth.Error
				if !errors.As(err, &oe) || !oe.HasAADSTS(tt.aadsts) {
					t.Fatalf("GetToken() error = %v, want an *oauth.Error with AADSTS%d", err, tt.aadsts)
				}
				if prompted != tt.wantPrompt {
					t.Errorf("prompted = %v, want %v", prompted, tt.wantPrompt)
				}
				if n := fa.Count(fakeauthority.EndpointToken); tt.wantPrompt && n != 1 {
					t.Errorf("%d polls, want 1: the error must stop polling", n)
				}
			})
		})
	}
}
