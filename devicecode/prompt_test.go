package devicecode_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
	"github.com/entraauth/entraauth/devicecode"
	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// signInWith runs one device code sign-in whose device authorization
// response is edited by edit, and returns the Message the prompt got and
// what WriterPrompt printed for it.
func signInWith(t *testing.T, edit func(map[string]any)) (devicecode.Message, string) {
	t.Helper()
	var (
		got     devicecode.Message
		printed bytes.Buffer
	)
	synctest.Test(t, func(t *testing.T) {
		fa := fakeauthority.New(&fakeauthority.Options{DeviceInterval: time.Second})
		var code string // the fake's user code, before edit changes it
		hc := &http.Client{Transport: rewriteDevice{fa.Client().Transport, func(m map[string]any) {
			code, _ = m["user_code"].(string)
			edit(m)
		}}}
		cred, err := devicecode.New("", &devicecode.Options{
			ClientOptions: oauth.ClientOptions{AuthorityHost: fa.URL(), TenantID: fakeauthority.DefaultTenantID, HTTPClient: hc},
			UserPrompt: func(ctx context.Context, m devicecode.Message) error {
				got = m
				time.AfterFunc(time.Second, func() { fa.ApproveDevice(code, fakeauthority.DefaultUsername) })
				return devicecode.WriterPrompt(&printed)(ctx, m)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cred.GetToken(t.Context(), oauth.TokenOptions{Scopes: scopes}); err != nil {
			t.Fatalf("GetToken: %v", err)
		}
	})
	return got, printed.String()
}

// TestPromptWarnsOfForeignPage: a verification URI off Microsoft's device
// login pages, or a message naming another page, reaches the prompt with
// a Warning, which WriterPrompt prints; WriterPrompt prints the checked
// verification URI and user code, never the server's message.
func TestPromptWarnsOfForeignPage(t *testing.T) {
	tests := []struct {
		name string
		edit func(map[string]any)
		warn bool
		uri  string
	}{
		{"fake authority's own page", func(map[string]any) {}, false, "https://login.microsoftonline.com/devicelogin"},
		{"Entra's public page", func(m map[string]any) {
			m["verification_uri"] = "https://microsoft.com/devicelogin"
			m["message"] = "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code " + m["user_code"].(string) + " to authenticate."
		}, false, "https://microsoft.com/devicelogin"},
		{"message names another page", func(m map[string]any) {
			m["message"] = "To sign in, open https://evil.example/devicelogin and enter the code " + m["user_code"].(string)
		}, true, "https://login.microsoftonline.com/devicelogin"},
		{"verification page on a foreign host", func(m map[string]any) {
			m["verification_uri"] = "https://evil.example/devicelogin"
			m["message"] = "To sign in, open https://evil.example/devicelogin and enter the code " + m["user_code"].(string)
		}, true, "https://evil.example/devicelogin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, printed := signInWith(t, tt.edit)
			if (m.Warning != "") != tt.warn {
				t.Errorf("Message.Warning = %q, want a warning: %v", m.Warning, tt.warn)
			}
			if strings.Contains(printed, "WARNING: ") != tt.warn {
				t.Errorf("WriterPrompt printed %q, want a WARNING line: %v", printed, tt.warn)
			}
			want := "To sign in, use a web browser to open the page " + tt.uri + " and enter the code " + m.UserCode + " to authenticate.\n"
			if !strings.HasSuffix(printed, want) {
				t.Errorf("WriterPrompt printed %q, want it to end with %q", printed, want)
			}
			if tt.uri != "https://evil.example/devicelogin" && strings.Contains(printed, "evil.example") {
				t.Errorf("WriterPrompt printed the message's URL: %q", printed)
			}
		})
	}
}

// TestPromptSanitizesServerText: escape sequences in the user code and
// the message (OSC 52 clipboard, OSC 0 title, CSI line erasure, 8-bit
// CSI, U+202E) reach neither the prompt's Message nor the terminal.
func TestPromptSanitizesServerText(t *testing.T) {
	for _, h := range []string{"\x1b]52;c;ZXZpbA==\x07", "\x1b]0;pwned\x07", "\r\x1b[2K", "\u009b2K", "\u202e"} {
		m, printed := signInWith(t, func(m map[string]any) {
			m["message"] = "Open the page" + h + " and enter the code " + m["user_code"].(string) + h
			m["user_code"] = m["user_code"].(string) + h
			if !strings.ContainsAny(h, "\x1b\r") { // a URL with those does not parse
				m["verification_uri"] = "https://login.microsoft" + h + "online.com/devicelogin"
			}
		})
		shown := map[string]string{"UserCode": m.UserCode, "Message": m.Message, "Warning": m.Warning, "VerificationURI": m.VerificationURI}
		for i, line := range strings.Split(strings.TrimSuffix(printed, "\n"), "\n") {
			shown["printed line "+strconv.Itoa(i)] = line
		}
		for name, s := range shown {
			if redact.Text(s) != s || strings.ContainsAny(s, "\x1b\u009b\u202e\r\n") {
				t.Errorf("%q: %s = %q is not clean", h, name, s)
			}
		}
		if strings.Contains(m.Warning, "login.microsoftonline.com is not") {
			t.Errorf("%q: the warning shows the hostile host as the real one: %q", h, m.Warning)
		}
		if !strings.Contains(printed, m.UserCode) || m.UserCode == "" {
			t.Errorf("%q: printed %q without the user code %q", h, printed, m.UserCode)
		}
	}
}
