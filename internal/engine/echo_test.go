package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entraauth/entraauth/internal/redact"
	"github.com/entraauth/entraauth/oauth"
)

// An error answer that quotes our request back (as some gateways and
// Entra's own AADSTS90014-style messages do) must not carry the secrets
// we sent into the *Error: redaction is by the values we sent, not only
// by the names of the answer's members.
func TestErrorEchoOfRequestRedacted(t *testing.T) {
	form := url.Values{"grant_type": {"password"}, "username": {"u@contoso.com"}, "password": {"hunter2 & co!"},
		"refresh_token": {"1.AXkAsecretRefreshTokenValue"}, "code_verifier": {"verifier-0123456789"}}
	echo := form.Encode()
	jsonEcho, _ := json.Marshal(map[string]any{"error": "invalid_request",
		"error_description": "AADSTS900144: bad request body: " + echo + "\r\nraw: " + form.Get("password") + " " + form.Get("refresh_token"),
		"claims":            `{"echo":"` + form.Get("refresh_token") + `"}`, "error_codes": []int{900144}})
	for _, tc := range []struct {
		name, ctype string
		status      int
		body        string
	}{
		{"JSON error", "application/json", 400, string(jsonEcho)},
		{"200 with error", "application/json", 200, string(jsonEcho)},
		{"text error", "text/plain", 502, "Bad Gateway: upstream refused " + echo},
		{"HTML error", "text/html", 500, "<html><body>request was " + echo + "</body></html>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := errorAnswering(t, form, tc.status, tc.ctype, tc.body)
			all := e.Error() + "\n" + e.Description + "\n" + e.Claims + "\n" + e.Snippet
			for _, name := range []string{"password", "refresh_token", "code_verifier"} {
				v := form.Get(name)
				for _, spelling := range []string{v, url.QueryEscape(v)} {
					if strings.Contains(all, spelling) {
						t.Errorf("the error carries our %s (%q):\n%s", name, spelling, all)
					}
				}
			}
		})
	}
}

// An error page quotes a password HTML-escaped, with whichever character
// references its escaper chose (named, decimal, hexadecimal, for any
// character), or JSON-escaped with & kept; an error JSON quotes it
// HTML-escaped inside a string. None of those spellings reaches the
// *Error. (Before, only the raw, URL- and Go-JSON-escaped spellings and
// html.EscapeString's references were removed.)
func TestErrorEchoHTMLEscaped(t *testing.T) {
	for _, tc := range []struct{ password, spelling string }{
		{"Correct Horse & Battery", "Correct Horse &amp; Battery"},
		{`say "friend" & enter`, "say &#34;friend&#34; &amp; enter"},
		{`say "friend" & enter`, "say &quot;friend&quot; &amp; enter"},
		{"it's <mine>", "it&#x27;s &lt;mine&gt;"},
		// JSON as most encoders other than Go's write it: & kept.
		{`say "friend" & enter`, `say \"friend\" & enter`},
		// References html.EscapeString does not choose.
		{`say "friend" & enter`, "say &#x22;friend&#X22; &#38; enter"},
		{"it's <mine>", "it&apos;s &#60;mine&#x3e;"},
		{"it's <mine>", "it&#039;s &#x3C;mine&#62;"},
		{"café & crème", "caf&eacute; &amp; cr&#232;me"},
		{"hunter2", "hun&#116;er&#x32;"},
		// Without ";", as HTML5 (and a browser) reads them too.
		{"Correct Horse & Battery", "Correct Horse &#38 Battery"},
		{"Correct Horse & Battery", "Correct Horse &amp Battery"},
	} {
		form := url.Values{"grant_type": {"password"}, "password": {tc.password}}
		jsonBody, _ := json.Marshal(map[string]string{"error": "invalid_grant", "error_description": "password: " + tc.spelling})
		for _, body := range []struct{ ctype, text string }{
			{"text/html", "<p>password: " + tc.spelling + "</p>"},
			{"application/json", string(jsonBody)},
		} {
			e := errorAnswering(t, form, 502, body.ctype, body.text)
			if all := e.Error() + "\n" + e.Description + "\n" + e.Snippet; strings.Contains(all, tc.spelling) {
				t.Errorf("password %q in %s: the error quotes the page's spelling of it:\n%s", tc.password, body.ctype, all)
			}
		}
	}
}

// A portal or proxy answering 200 with a page is no token response, and
// the page's text becomes the error's snippet: the password it quotes is
// removed as from any error answer. (Before, a 2xx answer without an
// "error" member was taken for a success and left as it was.)
func TestErrorEchoPageWith200(t *testing.T) {
	form := url.Values{"grant_type": {"password"}, "password": {"Correct Horse Battery"}}
	for _, ctype := range []string{"text/html", "text/plain"} {
		e := errorAnswering(t, form, 200, ctype, "<html><body>your password Correct Horse Battery was wrong</body></html>")
		if all := e.Error() + "\n" + e.Snippet; strings.Contains(all, "Correct Horse Battery") {
			t.Errorf("%s: the error quotes the password:\n%s", ctype, all)
		}
	}
}

// A body quoting the password as an ASCII-only JSON encoder writes it
// (Python's json.dumps: \u00e9, a UTF-16 pair for U+1F600) or with "/"
// escaped (PHP's json_encode), where the body is not parsed as JSON (text,
// or JSON cut at the read bound): none of those spellings reaches the
// *Error.
func TestErrorEchoJSONEscapes(t *testing.T) {
	form := url.Values{"grant_type": {"password"}, "password": {"café crème/ 😀 ok"}}
	for _, spelling := range []string{`caf\u00e9 cr\u00e8me/ \ud83d\ude00 ok`, `caf\u00E9 cr\u00E8me/ \uD83D\uDE00 ok`, `café crème\/ 😀 ok`} {
		for _, body := range []struct{ ctype, text string }{
			{"text/plain", `upstream said: {"password": "` + spelling + `"}`},
			{"application/json", `{"error": "invalid_request", "error_description": "password ` + spelling + `", "pad": "` + strings.Repeat("x", 1<<20) + `"}`},
		} {
			e := errorAnswering(t, form, 400, body.ctype, body.text)
			if all := e.Error() + "\n" + e.Snippet; strings.Contains(all, spelling) {
				t.Errorf("%s: the error quotes the spelling %s:\n%s", body.ctype, spelling, all)
			}
		}
	}
}

// errorAnswering posts form to a token endpoint that answers status,
// ctype and body, and returns the *oauth.Error the engine makes of it.
func errorAnswering(t *testing.T, form url.Values, status int, ctype, body string) *oauth.Error {
	t.Helper()
	w := newWire(&http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		return reply(status, http.Header{"Content-Type": {ctype}}, body), nil
	})}, nil, false)
	resp, err := w.do(context.Background(), "token", "POST", "https://h/t/oauth2/v2.0/token", form)
	if err == nil {
		_, err = ParseTokenResponse("token", resp.status, resp.body, time.Now(), nil)
	}
	e, ok := err.(*oauth.Error)
	if !ok {
		t.Fatalf("err = %T %v, want *Error", err, err)
	}
	return e
}

// A success answer is left as it is: Entra may return the refresh token
// we sent (no rotation), and that must still reach the cache.
func TestSuccessAnswerNotScrubbed(t *testing.T) {
	secrets := redact.SentSecrets(url.Values{"refresh_token": {"RT-same"}})
	body := []byte(`{"access_token":"a","refresh_token":"RT-same","token_type":"Bearer"}`)
	if got := redact.ScrubEcho(200, body, secrets); string(got) != string(body) {
		t.Errorf("scrubEcho changed a success body: %s", got)
	}
}

// FuzzScrubEcho: whatever the secret and the text around it, an error
// answer quoting it (raw, query-escaped or JSON-escaped) yields an *Error
// whose text holds no spelling of it.
func FuzzScrubEcho(f *testing.F) {
	f.Add("hunter2!", "grant_type=password&password=", "&scope=x", 0)
	f.Add("1.AXk_secret-token", "bad ", "", 1)
	f.Add("p@ss word", "<p>", "</p>", 2)
	f.Fuzz(func(t *testing.T, secret, before, after string, mode int) {
		if len(secret) < 4 || strings.ContainsAny(secret, "[]") || redact.Text(before+secret+after) != before+secret+after {
			t.Skip()
		}
		form := url.Values{"password": {secret}}
		var body []byte
		switch (mode%3 + 3) % 3 {
		case 0:
			body, _ = json.Marshal(map[string]string{"error": "invalid_grant", "error_description": before + secret + after})
		case 1:
			body, _ = json.Marshal(map[string]string{"error": "invalid_grant", "error_description": before + url.QueryEscape(secret) + after})
		default:
			body = []byte(before + secret + after)
		}
		baseline := ParseErrorResponse("token", 400, []byte(strings.ReplaceAll(string(body), secret, ""))).Error()
		if strings.Contains(baseline, secret) {
			t.Skip() // the surrounding text spells it by itself
		}
		e := ParseErrorResponse("token", 400, redact.ScrubEcho(400, body, redact.SentSecrets(form)))
		all := e.Error() + "\n" + e.Description + "\n" + e.Snippet // apart: "(HTTP 400)" + "000" is no echo of ")000"
		if strings.Contains(all, secret) {
			t.Fatalf("secret %q survives in %q", secret, all)
		}
	})
}
