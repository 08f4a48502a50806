package devicecode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/entraauth/entraauth/internal/engine"
	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// Message is what the user needs to finish signing in on another device:
// open VerificationURI and enter UserCode before ExpiresOn. It is what a
// [Options.UserPrompt] receives. It never holds the device code, which works
// as a polling credential and is kept from prompts and logs (RFC 8628 §3.3).
type Message struct {
	// UserCode is the code to type on the verification page. Control
	// characters are removed.
	UserCode string
	// VerificationURI is the page to open (an https URL), from
	// "verification_uri" or the older "verification_url".
	VerificationURI string
	// Message is Entra's own instruction text ("To sign in, use a web
	// browser to open the page ... and enter the code ..."), localized
	// by Entra; when the server sent none, one is composed in English.
	// Control and escape characters are removed. Its text is the
	// server's: [WriterPrompt] does not print it, and a prompt that does
	// must also show Warning.
	Message string
	// ExpiresOn is when the user code stops working.
	ExpiresOn time.Time
	// Warning is set when the user should not trust this sign-in
	// blindly: VerificationURI is not a known device login page of the
	// authority's cloud (nor on the authority's own host), or Message
	// names another URL. A prompt must show it; [WriterPrompt] does.
	Warning string
}

// deviceAuth is a parsed device authorization response (RFC 8628 §3.2).
type deviceAuth struct {
	msg        Message
	deviceCode string
	interval   time.Duration // 0 when the server sent none
	expiresIn  time.Duration
}

// Format writes a without its device code, a polling credential, for
// every verb.
func (a deviceAuth) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "devicecode.deviceAuth{UserCode: %q, VerificationURI: %q, DeviceCode: [%d bytes], Interval: %v, ExpiresIn: %v}",
		a.msg.UserCode, a.msg.VerificationURI, len(a.deviceCode), a.interval, a.expiresIn)
}

// Limits on what the server may ask for (RFC 8628 section 3.2): an
// absurd interval or lifetime is clamped, never trusted blindly.
const (
	defaultInterval = 5 * time.Second // RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
	minInterval     = 1 * time.Second
	maxInterval     = 5 * time.Minute
	maxExpiresIn    = time.Hour
)

// wireDeviceAuth is the JSON of a device authorization response. Error is
// there because Entra may send an error even with HTTP 200 (MSAL.NET
// expectErrorsOn200OK); the error itself is parsed by
// oauth.ParseErrorResponse. Numbers are json.Number so "900" and 900 both
// parse.
type wireDeviceAuth struct {
	DeviceCode      string      `json:"device_code"`
	UserCode        string      `json:"user_code"`
	VerificationURI string      `json:"verification_uri"`
	VerificationURL string      `json:"verification_url"` // older Entra and ADFS; Google
	ExpiresIn       json.Number `json:"expires_in"`
	Interval        json.Number `json:"interval"`
	Message         string      `json:"message"`
	Error           string      `json:"error"`
}

// deviceAuthError turns an answer that is not a usable success into the
// *oauth.Error of oauth.ParseErrorResponse (whose text fields are already
// cleaned for a terminal), dropping the body snippet when the body could
// hold a device code: any HTTP 200 body (a success response cut short or
// mangled) and any body naming device_code. The oauth snippet removes
// token-like values, but a device code is a polling credential
// (RFC 8628 §3.3) whatever its shape.
func deviceAuthError(status int, body []byte) *oauth.Error {
	e := engine.ParseErrorResponse("devicecode", status, body)
	if status == http.StatusOK || bytes.Contains(body, []byte("device_code")) {
		e.Snippet = ""
	}
	return e
}

// clean prepares a server string for display: redact.Text, then
// surrounding space trimmed.
func clean(s string) string { return strings.TrimSpace(redact.Text(s)) }

// requestDeviceCode posts the device authorization request (RFC 8628 §3.1)
// through the engine's wire (so it has a deadline even under
// context.Background(), and a bounded body) and parses the answer.
func requestDeviceCode(ctx context.Context, c *engine.Client, endpoint string, scopes []string) (*deviceAuth, error) {
	form := url.Values{"client_id": {c.ClientID()}, "scope": {strings.Join(scopes, " ")}}
	now := time.Now()
	status, body, err := c.PostForm(ctx, "devicecode", endpoint, form)
	if err != nil {
		var oe *oauth.Error
		if errors.As(err, &oe) {
			oe.Snippet = "" // an oversized success could hold a device code
		}
		return nil, fmt.Errorf("devicecode: device authorization request: %w", err)
	}
	return parseDeviceAuth(status, body, now)
}

// parseDeviceAuth turns a device authorization response into a deviceAuth
// or an *oauth.Error. It never panics and never quotes a body that could
// hold a device code.
func parseDeviceAuth(status int, body []byte, now time.Time) (*deviceAuth, error) {
	var w wireDeviceAuth
	if err := json.Unmarshal(body, &w); err != nil || w.Error != "" || status != http.StatusOK {
		return nil, deviceAuthError(status, body)
	}
	return w.validate(now)
}

func invalid(format string, args ...any) error {
	return &oauth.Error{Endpoint: "devicecode", StatusCode: http.StatusOK, Code: "invalid_response",
		Description: fmt.Sprintf(format, args...)}
}

// validate applies RFC 8628 §3.2 (required fields) and its security
// considerations (section 5): an https verification URI, clamped numbers.
func (w *wireDeviceAuth) validate(now time.Time) (*deviceAuth, error) {
	uri := w.VerificationURI
	if uri == "" {
		uri = w.VerificationURL
	}
	switch {
	case w.DeviceCode == "":
		return nil, invalid("device authorization response has no device_code")
	case clean(w.UserCode) == "":
		return nil, invalid("device authorization response has no user_code")
	case uri == "":
		return nil, invalid("device authorization response has no verification_uri")
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		// RFC 8628 §5.4 (remote phishing): only an https page is shown.
		return nil, invalid("verification_uri %q is not an https URL", clean(uri))
	}
	expires, err := seconds(w.ExpiresIn)
	if err != nil || expires <= 0 {
		return nil, invalid("device authorization response has no valid expires_in")
	}
	interval, err := seconds(w.Interval)
	if err != nil {
		return nil, invalid("device authorization response has an invalid interval")
	}
	a := &deviceAuth{
		deviceCode: w.DeviceCode,
		interval:   clampInterval(interval),
		expiresIn:  min(expires, maxExpiresIn),
	}
	a.msg = Message{UserCode: clean(w.UserCode), VerificationURI: u.String(), Message: clean(w.Message)}
	if a.msg.Message == "" {
		a.msg.Message = fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.",
			a.msg.VerificationURI, a.msg.UserCode)
	}
	a.msg.ExpiresOn = now.Add(a.expiresIn)
	return a, nil
}

// seconds parses a JSON number of seconds; an absent value is 0.
func seconds(n json.Number) (time.Duration, error) {
	if n == "" {
		return 0, nil
	}
	f, err := n.Float64()
	if err != nil {
		return 0, err
	}
	if f > float64(24*time.Hour/time.Second) {
		f = float64(24 * time.Hour / time.Second) // avoid overflow; clamped again by the caller
	}
	if f < 0 {
		return 0, errors.New("negative")
	}
	return time.Duration(f * float64(time.Second)), nil
}

// clampInterval applies the RFC's default to an absent (or zero) interval
// and keeps a present one within [minInterval, maxInterval].
func clampInterval(d time.Duration) time.Duration {
	if d <= 0 {
		return defaultInterval
	}
	return min(max(d, minInterval), maxInterval)
}
