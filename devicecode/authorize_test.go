package devicecode

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/oauth"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestParseDeviceAuth(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantURI   string
		wantCode  string
		interval  time.Duration
		expiresIn time.Duration
		wantMsg   string // substring
		wantErr   string // substring of the error; "" = success
	}{
		{name: "Entra shape", status: 200,
			body:    `{"user_code":"ABCD1234","device_code":"dc-secret","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD1234 to authenticate."}`,
			wantURI: "https://microsoft.com/devicelogin", wantCode: "ABCD1234", interval: 5 * time.Second, expiresIn: 900 * time.Second, wantMsg: "enter the code ABCD1234"},
		{name: "older verification_url, string numbers, no interval", status: 200,
			body:    `{"user_code":"X","device_code":"d","verification_url":"https://www.google.com/device","expires_in":"1800"}`,
			wantURI: "https://www.google.com/device", wantCode: "X", interval: 5 * time.Second, expiresIn: 1800 * time.Second, wantMsg: "open the page https://www.google.com/device and enter the code X"},
		{name: "absurd numbers are clamped", status: 200,
			body:    `{"user_code":"X","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":1e9,"interval":0.01}`,
			wantURI: "https://microsoft.com/devicelogin", wantCode: "X", interval: time.Second, expiresIn: time.Hour},
		{name: "zero interval means the default", status: 200,
			body:    `{"user_code":"X","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":60,"interval":0}`,
			wantURI: "https://microsoft.com/devicelogin", wantCode: "X", interval: 5 * time.Second, expiresIn: time.Minute},
		{name: "escape sequences are stripped", status: 200,
			body:    `{"user_code":"AB\u001b[2JCD","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":60,"message":"hi\u001b]0;pwned\u0007 there\u009b"}`,
			wantURI: "https://microsoft.com/devicelogin", wantCode: "AB[2JCD", interval: 5 * time.Second, expiresIn: time.Minute, wantMsg: "hi]0;pwned there"},
		{name: "missing user_code", status: 200, body: `{"device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":60}`, wantErr: "no user_code"},
		{name: "missing device_code", status: 200, body: `{"user_code":"U","verification_uri":"https://microsoft.com/devicelogin","expires_in":60}`, wantErr: "no device_code"},
		{name: "missing uri", status: 200, body: `{"user_code":"U","device_code":"d","expires_in":60}`, wantErr: "no verification_uri"},
		{name: "http uri refused", status: 200, body: `{"user_code":"U","device_code":"d","verification_uri":"http://evil/device","expires_in":60}`, wantErr: "not an https URL"},
		{name: "missing expires_in", status: 200, body: `{"user_code":"U","device_code":"d","verification_uri":"https://microsoft.com/devicelogin"}`, wantErr: "expires_in"},
		{name: "negative interval", status: 200, body: `{"user_code":"U","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":60,"interval":-3}`, wantErr: "interval"},
		{name: "error with HTTP 200", status: 200, body: `{"error":"invalid_client","error_description":"AADSTS7000218: body must contain client_assertion","error_codes":[7000218]}`, wantErr: "invalid_client: AADSTS7000218"},
		{name: "error with HTTP 400", status: 400, body: `{"error":"invalid_scope","error_codes":[70011],"correlation_id":"c1"}`, wantErr: "invalid_scope (HTTP 400) correlation_id=c1"},
		{name: "HTML page", status: 502, body: `<html>bad gateway</html>`, wantErr: "HTML page instead of JSON (HTTP 502): body: \"<html>bad gateway</html>\""},
		{name: "success body that is not JSON is never quoted", status: 200, body: `{"device_code":"dc-secret"`, wantErr: "not JSON (HTTP 200)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseDeviceAuth(tt.status, []byte(tt.body), t0)
			if tt.wantErr != "" {
				var oe *oauth.Error
				if !errors.As(err, &oe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseDeviceAuth() error = %v, want an *oauth.Error containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "dc-secret") {
					t.Errorf("error quotes the device code: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseDeviceAuth() error = %v", err)
			}
			if a.msg.VerificationURI != tt.wantURI || a.msg.UserCode != tt.wantCode || a.interval != tt.interval || a.expiresIn != tt.expiresIn {
				t.Errorf("parseDeviceAuth() = uri %q code %q interval %v expires %v; want %q %q %v %v",
					a.msg.VerificationURI, a.msg.UserCode, a.interval, a.expiresIn, tt.wantURI, tt.wantCode, tt.interval, tt.expiresIn)
			}
			if !a.msg.ExpiresOn.Equal(t0.Add(tt.expiresIn)) {
				t.Errorf("ExpiresOn = %v, want %v", a.msg.ExpiresOn, t0.Add(tt.expiresIn))
			}
			if !strings.Contains(a.msg.Message, tt.wantMsg) {
				t.Errorf("Message = %q, want it to contain %q", a.msg.Message, tt.wantMsg)
			}
		})
	}
}

func TestParseErrorCodes(t *testing.T) {
	// Codes that are not numbers are skipped. (oauth.ParseErrorResponse,
	// which parses them, truncates a fractional 1.5 to 1; no server sends
	// one, so this table no longer holds it.)
	_, err := parseDeviceAuth(400, []byte(`{"error":"authorization_declined","error_codes":[70016,"x",null,{},50076]}`), t0)
	var oe *oauth.Error
	if !errors.As(err, &oe) || !oe.HasAADSTS(70016) || !oe.HasAADSTS(50076) || len(oe.AADSTS) != 2 {
		t.Fatalf("error = %#v, want AADSTS [70016 50076]", err)
	}
	if !errors.Is(err, oauth.ErrDeclined) {
		t.Errorf("errors.Is(%v, ErrDeclined) = false", err)
	}
}

// TestErrorNeverQuotesDeviceCode: whatever the status and however the body
// is broken, an error never carries a device code, even one too short for
// the oauth snippet's token filter; other bodies are still quoted.
func TestErrorNeverQuotesDeviceCode(t *testing.T) {
	const dc = "DC-short-9" // under the 16 characters the oauth snippet filters
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"success cut short", 200, `{"user_code":"U","device_code":"` + dc + `","verification_uri":"https://microsoft.com/devicelogin"`},
		{"success with junk after it", 200, `{"device_code":"` + dc + `"}}`},
		{"error_codes of the wrong type", 200, `{"error":"x","error_codes":"y","device_code":"` + dc + `"}`},
		{"HTTP 500 with a truncated success", 500, `{"device_code":"` + dc + `"`},
		{"HTTP 400 without an error field", 400, `{"device_code":"` + dc + `","user_code":"U"}`},
		{"HTML at HTTP 200", 200, `<html>` + dc + `</html>`},
		{"plain text at HTTP 200", 200, dc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseDeviceAuth(tt.status, []byte(tt.body), t0)
			var oe *oauth.Error
			if !errors.As(err, &oe) {
				t.Fatalf("parseDeviceAuth() = %v, want an *oauth.Error", err)
			}
			if strings.Contains(err.Error(), dc) || strings.Contains(oe.Snippet, dc) {
				t.Errorf("error quotes the device code: %v", err)
			}
		})
	}
	_, err := parseDeviceAuth(502, []byte(`Service Unavailable: upstream timed out`), t0)
	if err == nil || !strings.Contains(err.Error(), `body: "Service Unavailable: upstream timed out"`) {
		t.Errorf("a gateway error page = %v, want it quoted", err)
	}
}

// TestErrorFieldsCleaned: an error's text, which the command-line tool
// prints, cannot carry terminal escape sequences.
func TestErrorFieldsCleaned(t *testing.T) {
	_, err := parseDeviceAuth(400, []byte(`{"error":"invalid\u001b[2J_scope","error_description":"bad\u001b]0;pwned\u0007 scope\u009b","suberror":"s\u0000","correlation_id":"c\u001b[1m","trace_id":"t\r\n","timestamp":"\u202e2026","error_uri":"https://x/\u001b"}`), t0)
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		t.Fatalf("parseDeviceAuth() = %v, want an *oauth.Error", err)
	}
	for _, f := range []string{oe.Code, oe.Description, oe.SubError, oe.CorrelationID, oe.TraceID, oe.Timestamp, oe.ErrorURI} {
		if strings.ContainsAny(f, "\x00\x07\x1b\r\n\u009b\u202e") {
			t.Errorf("control character survives in %q", f)
		}
	}
	if oe.Code != "invalid[2J_scope" || oe.Description != "bad]0;pwned scope" {
		t.Errorf("code %q, description %q", oe.Code, oe.Description)
	}
}

func FuzzParseDeviceAuth(f *testing.F) {
	f.Add(200, []byte(`{"user_code":"ABCD1234","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"m"}`))
	f.Add(200, []byte(`{"user_code":"X","device_code":"d","verification_url":"https://x/","expires_in":"1e400","interval":"-0"}`))
	f.Add(400, []byte(`{"error":"x","error_codes":[1,null,{}]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		a, err := parseDeviceAuth(status, body, t0)
		if err != nil {
			var oe *oauth.Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %v is not an *oauth.Error", err)
			}
			return
		}
		if a.interval < minInterval || a.interval > maxInterval || a.expiresIn <= 0 || a.expiresIn > maxExpiresIn {
			t.Fatalf("unclamped: interval %v expires %v", a.interval, a.expiresIn)
		}
		if a.deviceCode == "" || a.msg.UserCode == "" || !strings.HasPrefix(a.msg.VerificationURI, "https://") {
			t.Fatalf("accepted an incomplete response: %+v", a.msg)
		}
		for _, s := range []string{a.msg.UserCode, a.msg.Message} {
			if strings.ContainsAny(s, "\x1b\x07\u009b\r\n") {
				t.Fatalf("control characters survive: %q", s)
			}
		}
	})
}

// TestVerificationWarning: a verification URI off the cloud's device
// login pages, or a message naming another URL, gives a warning; Entra's
// own answers for each cloud, and the authority's own host, do not.
func TestVerificationWarning(t *testing.T) {
	const pub, gov, cn = "login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn"
	entra := func(uri string) string {
		return "To sign in, use a web browser to open the page " + uri + " and enter the code ABCD1234 to authenticate."
	}
	tests := []struct {
		name, uri, message, authority string
		warn                          bool
	}{
		{"public devicelogin", "https://microsoft.com/devicelogin", entra("https://microsoft.com/devicelogin"), pub, false},
		{"public login.microsoft.com/device", "https://login.microsoft.com/device", entra("https://login.microsoft.com/device"), pub, false},
		{"alias authority", "https://microsoft.com/devicelogin", entra("https://microsoft.com/devicelogin"), "login.windows.net", false},
		{"GCC on public", "https://microsoft.com/deviceloginus", entra("https://microsoft.com/deviceloginus"), pub, false},
		{"US Gov", "https://microsoft.com/deviceloginus", entra("https://microsoft.com/deviceloginus"), gov, false},
		{"China", "https://microsoft.com/deviceloginchina", entra("https://microsoft.com/deviceloginchina"), cn, false},
		{"trailing slash and case", "https://Microsoft.com/DeviceLogin/", entra("https://microsoft.com/devicelogin"), pub, false},
		{"authority's own host", "https://127.0.0.1:8443/devicelogin", entra("https://127.0.0.1:8443/devicelogin"), "127.0.0.1:8443", false},
		{"message without URL", "https://microsoft.com/devicelogin", "Enter ABCD1234", pub, false},
		{"China page on public cloud", "https://microsoft.com/deviceloginchina", entra("https://microsoft.com/deviceloginchina"), pub, true},
		{"other microsoft.com page", "https://microsoft.com/evil-redirect", entra("https://microsoft.com/evil-redirect"), pub, true},
		{"foreign host", "https://evil.example/devicelogin", entra("https://evil.example/devicelogin"), pub, true},
		{"look-alike host", "https://microsoft.com.evil.example/devicelogin", entra("https://microsoft.com.evil.example/devicelogin"), pub, true},
		{"unknown authority, Microsoft page", "https://microsoft.com/devicelogin", entra("https://microsoft.com/devicelogin"), "adfs.contoso.com", true},
		{"odd port", "https://microsoft.com:8443/devicelogin", entra("https://microsoft.com:8443/devicelogin"), pub, true},
		{"message names another URL", "https://microsoft.com/devicelogin",
			"To sign in, open https://evil.example/devicelogin and enter the code ABCD1234.", pub, true},
		{"message names a second URL", "https://microsoft.com/devicelogin",
			entra("https://microsoft.com/devicelogin") + " Or HTTP://evil.example.", pub, true},
		{"message URL with query", "https://microsoft.com/devicelogin", entra("https://microsoft.com/devicelogin?otc=ABCD1234"), pub, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := warning(Message{UserCode: "ABCD1234", VerificationURI: tt.uri, Message: tt.message}, tt.authority)
			if (w != "") != tt.warn {
				t.Errorf("warning(%q, %q) = %q, want a warning: %v", tt.uri, tt.message, w, tt.warn)
			}
			if strings.Contains(w, "evil.example/devicelogin") && strings.Contains(tt.message, "evil") && tt.uri != "https://evil.example/devicelogin" {
				t.Errorf("warning %q quotes the message's URL", w)
			}
		})
	}
}

// TestFormatHidesDeviceCode: no fmt verb shows the device code of a
// parsed device authorization response, and the Options and Message the
// package exports hold none.
func TestFormatHidesDeviceCode(t *testing.T) {
	const dc = "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrAgA*x!Kq$Zv"
	a, err := parseDeviceAuth(200, []byte(`{"device_code":"`+dc+`","user_code":"ABCD1234","verification_uri":"https://microsoft.com/devicelogin","expires_in":900}`), t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{a, *a, a.msg, Options{}} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, dc) || strings.Contains(strings.ToLower(s), fmt.Sprintf("%x", dc)) {
				t.Errorf("Sprintf(%q, %T) shows the device code: %s", verb, v, s)
			}
		}
	}
}
