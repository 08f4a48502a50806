package engine

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// hostile holds what a server could try to send to a user's terminal:
// an OSC 52 clipboard write, an OSC 0 title change, a CSI line erasure,
// an 8-bit CSI and a right-to-left override.
var hostile = []string{
	"\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07",
	"\x1b]0;pwned\x07",
	"\r\x1b[2K",
	"\u009b2K",
	"\u202e",
}

// terminalUnsafe reports a character that must never reach a terminal.
func terminalUnsafe(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\uFFFD' || redact.Text(string(r)) == "" {
			return r, true
		}
	}
	return 0, false
}

// TestErrorSanitizesServerText: every server string of an error response,
// once parsed, reaches neither Error() nor a displayed field with a
// control character or a bidi override; Claims alone is kept verbatim.
func TestErrorSanitizesServerText(t *testing.T) {
	for _, h := range hostile {
		q, _ := json.Marshal(h)
		esc := string(q[1 : len(q)-1])
		body := `{"error":"invalid_grant` + esc + `","error_description":"AADSTS50126: bad` + esc + ` password\r\nTrace ID: t` + esc +
			`","suberror":"basic` + esc + `","correlation_id":"c` + esc + `","trace_id":"t` + esc + `","timestamp":"2026` + esc +
			`","error_uri":"https://login.microsoftonline.com/error` + esc + `","claims":"{}"}`
		e := ParseErrorResponse("token", 400, []byte(body))
		if e.Code == "invalid_response" {
			t.Fatalf("body %s did not parse: %v", body, e)
		}
		fields := map[string]string{"Error()": e.Error(), "Code": e.Code, "SubError": e.SubError,
			"CorrelationID": e.CorrelationID, "TraceID": e.TraceID, "Timestamp": e.Timestamp, "ErrorURI": e.ErrorURI}
		for _, line := range strings.Split(e.Description, "\n") {
			fields["Description line"] = line
		}
		for name, v := range fields {
			if r, bad := terminalUnsafe(v); bad {
				t.Errorf("%q: %s = %q keeps %U", h, name, v, r)
			}
		}
		if !strings.HasPrefix(e.Description, "AADSTS50126: bad") || !strings.Contains(e.Description, "\nTrace ID: t") {
			t.Errorf("Description = %q, want its text and line structure kept", e.Description)
		}
	}
}

// TestErrorTextSanitizedWhoeverBuiltIt: an *Error filled by other code
// (a flow copying a redirect's error parameters, an ID token check quoting
// a claim) still prints clean.
func TestErrorTextSanitizedWhoeverBuiltIt(t *testing.T) {
	for _, h := range hostile {
		e := &oauth.Error{Endpoint: "authorize", Code: "access_denied" + h, Description: "denied" + h + " by user",
			CorrelationID: "c" + h, Snippet: "body" + h, Err: errors.New("cause" + h)}
		if r, bad := terminalUnsafe(e.Error()); bad {
			t.Errorf("Error() = %q keeps %U", e.Error(), r)
		}
		if !strings.Contains(e.Error(), "by user") || !strings.Contains(e.Error(), "cause") {
			t.Errorf("Error() = %q lost its text", e.Error())
		}
	}
}
