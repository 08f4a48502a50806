package devicecode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

// slowDownStep is what RFC 8628 §3.5 adds on "slow_down": "the interval
// MUST be increased by 5 seconds for this and all subsequent requests."
const slowDownStep = 5 * time.Second

// maxBackoff caps the doubled interval after network errors.
const maxBackoff = time.Minute

// outcome is what one poll told the loop to do.
type outcome int

const (
	done      outcome = iota // success, or an error that ends polling
	pending                  // authorization_pending: poll again after the interval
	slowDown                 // slow_down: interval += 5 s, for good
	transient                // network error, 5xx, 429: back off
)

// poll calls once every interval until it returns a result or an error
// that ends the flow, following RFC 8628 §3.5 where MSAL Go does not:
//
//   - it waits interval before each request, including the first;
//   - authorization_pending polls again; slow_down adds 5 s to this and
//     every later wait;
//   - a network error, an HTTP 5xx or a 429 doubles the wait for the next
//     request ("clients SHOULD use reasonable backoff"), up to a minute;
//     the next answer from the server restores the interval;
//   - any other error (authorization_declined, access_denied,
//     expired_token, bad_verification_code, ...) is returned as it is;
//   - at deadline it stops without polling again and returns an
//     *oauth.Error with Code "expired_token" (errors.Is oauth.ErrExpired);
//   - a cancelled ctx stops the wait at once.
//
// It is generic so that its timing can be reasoned about apart from the
// token endpoint; the credential passes the engine's RedeemToken.
func poll[T any](ctx context.Context, interval time.Duration, deadline time.Time, log *slog.Logger, once func(context.Context) (T, error)) (T, error) {
	var zero T
	failures := 0
	for n := 1; ; n++ {
		wait := backoff(interval, failures)
		if !time.Now().Add(wait).Before(deadline) {
			if err := sleep(ctx, time.Until(deadline)); err != nil {
				return zero, err
			}
			return zero, &oauth.Error{Endpoint: "token", Code: "expired_token",
				Description: "devicecode: the code expired before sign-in completed"}
		}
		if err := sleep(ctx, wait); err != nil {
			return zero, err
		}
		res, err := once(ctx)
		if err == nil {
			return res, nil
		}
		switch classify(ctx, err) {
		case pending:
			failures = 0
		case slowDown:
			failures = 0
			interval = min(interval+slowDownStep, maxInterval)
		case transient:
			failures++
			log.LogAttrs(ctx, slog.LevelWarn, "devicecode: poll failed; backing off",
				slog.Int("poll", n), slog.Duration("next_wait", backoff(interval, failures)),
				slog.String("error", err.Error()))
			continue
		default:
			return zero, err
		}
		log.LogAttrs(ctx, slog.LevelDebug, "devicecode: authorization pending",
			slog.Int("poll", n), slog.Duration("interval", interval))
	}
}

// backoff is the wait after failures consecutive network errors: the
// interval doubled that many times, capped at maxBackoff (or the interval
// itself when that is longer). It never overflows.
func backoff(interval time.Duration, failures int) time.Duration {
	w := interval
	for i := 0; i < failures && w < maxBackoff; i++ {
		w *= 2
	}
	return min(w, max(interval, maxBackoff))
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("devicecode: polling stopped: %w", context.Cause(ctx))
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("devicecode: polling stopped: %w", context.Cause(ctx))
	case <-t.C:
		return nil
	}
}

// classify decides what one poll's error means for the loop.
func classify(ctx context.Context, err error) outcome {
	if ctx.Err() != nil {
		return done
	}
	var oe *oauth.Error
	if errors.As(err, &oe) {
		switch {
		case oe.Code == "authorization_pending" || (oe.Code == "" && oe.HasAADSTS(70016)):
			return pending
		case oe.Code == "slow_down":
			return slowDown
		case oe.StatusCode >= 500 || oe.StatusCode == http.StatusTooManyRequests:
			return transient
		case oe.StatusCode == 0 && (oe.Code == "" || oe.Code == "request_failed") && isNetwork(err):
			// the engine reports a failed exchange as request_failed
			return transient
		}
		return done
	}
	if isNetwork(err) {
		return transient
	}
	return done
}

// isNetwork reports whether err is a failure to exchange a request with
// the server (refused, reset, timed out, cut short), as opposed to an
// answer.
func isNetwork(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}
