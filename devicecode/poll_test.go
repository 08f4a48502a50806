package devicecode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

func oerr(status int, code string) error {
	return &oauth.Error{Endpoint: "token", StatusCode: status, Code: code}
}

var netErr = &url.Error{Op: "Post", URL: "https://login.example/token", Err: syscall.ECONNRESET}

// TestPollLoopTimes drives the loop with a scripted poll function inside a
// synctest bubble and checks the fake-clock time of every poll. The same
// rules are checked end to end against the fake authority in
// credential_test.go.
func TestPollLoopTimes(t *testing.T) {
	s := time.Second
	tests := []struct {
		name     string
		interval time.Duration
		expires  time.Duration
		script   []error // nil = success
		want     []time.Duration
		wantErr  error // sentinel or nil
		wantEnd  time.Duration
	}{
		{"pending then success", 5 * s, 900 * s, []error{oerr(400, "authorization_pending"), oerr(400, "authorization_pending"), nil},
			[]time.Duration{5 * s, 10 * s, 15 * s}, nil, 15 * s},
		{"slow_down is cumulative", 5 * s, 900 * s, []error{oerr(400, "slow_down"), oerr(400, "slow_down"), oerr(400, "authorization_pending"), nil},
			[]time.Duration{5 * s, 15 * s, 30 * s, 45 * s}, nil, 45 * s},
		{"network errors double the wait, an answer restores it", 2 * s, 900 * s, []error{netErr, netErr, oerr(400, "authorization_pending"), oerr(503, "invalid_response"), nil},
			[]time.Duration{2 * s, 6 * s, 14 * s, 16 * s, 20 * s}, nil, 20 * s},
		{"declined stops", 1 * s, 900 * s, []error{oerr(400, "authorization_pending"), oerr(400, "authorization_declined")},
			[]time.Duration{1 * s, 2 * s}, oauth.ErrDeclined, 2 * s},
		{"expired_token stops", 1 * s, 900 * s, []error{oerr(400, "expired_token")},
			[]time.Duration{1 * s}, oauth.ErrExpired, 1 * s},
		{"deadline stops without another poll", 5 * s, 12 * s, []error{oerr(400, "authorization_pending"), oerr(400, "authorization_pending"), oerr(400, "authorization_pending")},
			[]time.Duration{5 * s, 10 * s}, oauth.ErrExpired, 12 * s},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var got []time.Duration
				once := func(ctx context.Context) (string, error) {
					got = append(got, time.Since(start))
					if len(got) > len(tt.script) {
						return "", fmt.Errorf("poll %d beyond the script", len(got))
					}
					if err := tt.script[len(got)-1]; err != nil {
						return "", err
					}
					return "token", nil
				}
				res, err := poll(t.Context(), tt.interval, start.Add(tt.expires), slog.New(slog.DiscardHandler), once)
				if !slices.Equal(got, tt.want) {
					t.Errorf("poll times = %v, want %v", got, tt.want)
				}
				if tt.wantErr == nil && (err != nil || res != "token") {
					t.Errorf("poll() = %q, %v; want token", res, err)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("poll() error = %v, want %v", err, tt.wantErr)
				}
				if end := time.Since(start); end != tt.wantEnd {
					t.Errorf("poll returned at %v, want %v", end, tt.wantEnd)
				}
			})
		})
	}
}

func TestPollCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		start := time.Now()
		polls := 0
		time.AfterFunc(7*time.Second, cancel)
		_, err := poll(ctx, 5*time.Second, start.Add(time.Hour), slog.New(slog.DiscardHandler), func(context.Context) (int, error) {
			polls++
			return 0, oerr(400, "authorization_pending")
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("poll() error = %v, want context.Canceled", err)
		}
		if polls != 1 || time.Since(start) != 7*time.Second {
			t.Errorf("after cancel at 7s: %d polls, returned at %v; want 1 poll, 7s", polls, time.Since(start))
		}
	})
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want outcome
	}{
		{oerr(400, "authorization_pending"), pending},
		{&oauth.Error{AADSTS: []int{70016}}, pending},
		{oerr(400, "slow_down"), slowDown},
		{oerr(500, "invalid_response"), transient},
		{oerr(502, ""), transient},
		{oerr(429, ""), transient},
		{netErr, transient},
		{fmt.Errorf("oauth: token: %w", netErr), transient},
		{&oauth.Error{Endpoint: "token", Code: "request_failed"}, done}, // no network cause: not retried
		{oerr(400, "bad_verification_code"), done},
		{oerr(400, "access_denied"), done},
		{oerr(400, "invalid_grant"), done},
		{errors.New("id token: bad signature"), done},
	}
	for _, tt := range tests {
		if got := classify(context.Background(), tt.err); got != tt.want {
			t.Errorf("classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestPollBackoffCap: a server that stays unreachable for the whole code
// lifetime is polled at most once a minute, never in a tight loop.
func TestPollBackoffCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var times []time.Duration
		_, err := poll(t.Context(), 5*time.Second, start.Add(time.Hour), slog.New(slog.DiscardHandler), func(context.Context) (int, error) {
			times = append(times, time.Since(start))
			return 0, netErr
		})
		if !errors.Is(err, oauth.ErrExpired) {
			t.Errorf("poll() error = %v, want expiry", err)
		}
		want := []time.Duration{5 * time.Second, 15 * time.Second, 35 * time.Second, 75 * time.Second, 135 * time.Second}
		if len(times) < len(want) || !slices.Equal(times[:len(want)], want) {
			t.Fatalf("first polls at %v, want %v", times[:min(len(times), len(want))], want)
		}
		for i := len(want); i < len(times); i++ {
			if gap := times[i] - times[i-1]; gap != time.Minute {
				t.Fatalf("gap before poll %d = %v, want the 1m cap", i+1, gap)
			}
		}
		if len(times) != 62 {
			t.Errorf("%d polls in an hour, want 62", len(times))
		}
	})
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		interval time.Duration
		failures int
		want     time.Duration
	}{
		{5 * time.Second, 0, 5 * time.Second}, {5 * time.Second, 1, 10 * time.Second}, {5 * time.Second, 3, 40 * time.Second},
		{5 * time.Second, 4, time.Minute}, {5 * time.Second, 1000, time.Minute}, {2 * time.Minute, 3, 2 * time.Minute},
	} {
		if got := backoff(tt.interval, tt.failures); got != tt.want {
			t.Errorf("backoff(%v, %d) = %v, want %v", tt.interval, tt.failures, got, tt.want)
		}
	}
}
