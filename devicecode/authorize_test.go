package devicecode

import (
	"errors"
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
		{name: "HTML page", status: 502, body: `<html>bad gateway</html>`, wantErr: "not JSON (HTTP 502): body: \"<html>bad gateway</html>\""},
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
	_, err := parseDeviceAuth(400, []byte(`{"error":"authorization_declined","error_codes":[70016,"x",1.5,50076]}`), t0)
	var oe *oauth.Error
	if !errors.As(err, &oe) || !oe.HasAADSTS(70016) || !oe.HasAADSTS(50076) || len(oe.AADSTS) != 2 {
		t.Fatalf("error = %#v, want AADSTS [70016 50076]", err)
	}
	if !errors.Is(err, oauth.ErrDeclined) {
		t.Errorf("errors.Is(%v, ErrDeclined) = false", err)
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

func TestExpectedHost(t *testing.T) {
	token := "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
	tests := []struct {
		uri  string
		want bool
	}{
		{"https://microsoft.com/devicelogin", true},
		{"https://www.microsoft.com/link", true},
		{"https://login.microsoftonline.us/device", true},
		{"https://login.microsoftonline.com/devicelogin", true},
		{"https://microsoft.com.evil.example/devicelogin", false},
		{"https://evilmicrosoft.com/devicelogin", false},
		{"https://example.org/device", false},
	}
	for _, tt := range tests {
		if got := expectedHost(tt.uri, token); got != tt.want {
			t.Errorf("expectedHost(%q) = %v, want %v", tt.uri, got, tt.want)
		}
	}
	if !expectedHost("https://127.0.0.1:8443/devicelogin", "https://127.0.0.1:8443/t/oauth2/v2.0/token") {
		t.Errorf("the authority's own host is not accepted")
	}
}
