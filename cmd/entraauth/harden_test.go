package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// --trace reads at most maxTraceBody of a response for itself, and the
// caller still reads the whole body: a response over the library's bound
// reaches the library as it is (and gets its size error), not cut to a
// body that merely fails to parse.
func TestTraceLeavesTheBodyWhole(t *testing.T) {
	const size = 3 << 20
	tt := &traceTransport{next: rtFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(strings.Repeat("a", size)))}, nil
	}), w: io.Discard}
	req, _ := http.NewRequest("GET", "https://login.microsoftonline.com/x", nil)
	resp, err := tt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != size {
		t.Errorf("the caller read %d bytes of a %d-byte body", n, size)
	}
}

// hostileTokens wraps next so that every token response carries access
// token tok: what a compromised authority or proxy could answer.
func hostileTokens(next http.RoundTripper, tok string) http.RoundTripper {
	return rtFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil || !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") || resp.StatusCode != 200 {
			return resp, err
		}
		var body map[string]any
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if json.Unmarshal(b, &body) == nil {
			body["access_token"] = tok
			b, _ = json.Marshal(body)
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Del("Content-Length")
		return resp, nil
	})
}

// token --output raw|json|az|exec-credential refuses an access token with
// characters no bearer token has (ESC, a C1 CSI, a bidi override) rather
// than print it, cleaned or not: a token goes into headers and shells.
func TestTokenOutputRefusesUnsafeToken(t *testing.T) {
	realAuthority(t)
	sio, out, errb := testIO(t, nil)
	if code := run(t.Context(), []string{"login", "--flow", "device"}, sio); code != exitOK {
		t.Fatalf("login = exit %d: %s", code, errb)
	}
	good := testTransport
	t.Cleanup(func() { testTransport = good })
	scopes := []string{"https://graph.microsoft.com/.default", "https://vault.azure.net/.default", "https://storage.azure.com/.default"}
	for j, tok := range []string{"eyJ0.eyJ0.\x1b]52;c;cGF3bmVk\x07", "eyJ0.eyJ0.\u009b2J", "eyJ0.eyJ0.x\u202eevil"} {
		// The first command refreshes through the hostile answer; the
		// others find the token it cached.
		testTransport = hostileTokens(good, tok)
		for _, output := range tokenOutputs {
			out.Reset()
			errb.Reset()
			code := run(t.Context(), []string{"token", "--scope", scopes[j], "--output", output}, sio)
			if code == exitOK || strings.Contains(out.String(), "eyJ0.eyJ0.") {
				t.Errorf("token %d --output %s: exit %d, stdout %q", j, output, code, out)
			}
			if strings.ContainsAny(out.String()+errb.String(), "\x1b\u009b\u202e") {
				t.Errorf("token %d --output %s: terminal controls printed: stdout %q stderr %q", j, output, out, errb)
			}
		}
	}
}

// hostileText holds what a terminal acts on and redact.Text strips: ESC
// (OSC 52), the 8-bit CSI and OSC, a bidi override and isolate.
const hostileText = "a\x1b]52;c;cGF3bmVk\x07b\u009b2Jc\u009d0;t\u009cd\u202ee\u2066f"

func holdsControls(s string) bool {
	return strings.ContainsAny(s, "\x1b\x07\u009b\u009d\u009c\u202e\u2066")
}

// decode --output json (and every JSON the tool prints) writes claims a
// token's issuer chose: C1 controls and bidi characters come out as
// \uXXXX escapes, so the JSON means the same and prints inert.
func TestDecodeJSONEscapesTerminalControls(t *testing.T) {
	sio, out, errb := testIO(t, nil)
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": hostileText})
	c, _ := json.Marshal(map[string]any{"name": hostileText, hostileText: 1})
	tok := jwt(string(h), string(c))
	if code := run(t.Context(), []string{"decode", "--output", "json", tok}, sio); code != exitOK {
		t.Fatalf("decode = exit %d: %s", code, errb)
	}
	if holdsControls(out.String()) {
		t.Errorf("decode --output json printed terminal controls: %q", out)
	}
	var d decoded
	if err := json.Unmarshal(out.Bytes(), &d); err != nil || d.Claims["name"] != hostileText {
		t.Errorf("the escaped JSON does not read back as the claim: %v, %q", err, d.Claims["name"])
	}
}

// --trace prints headers, form fields and JSON bodies the server wrote;
// the HAR file is JSON someone will cat: neither carries raw controls.
func TestTraceSanitizesServerText(t *testing.T) {
	var tr bytes.Buffer
	body, _ := json.Marshal(map[string]string{"error": "invalid_grant", "error_description": hostileText})
	tt := &traceTransport{next: rtFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}, "X-Evil": {hostileText}},
			Body: io.NopCloser(bytes.NewReader(body))}, nil
	}), w: &tr, har: &harLog{}}
	req, _ := http.NewRequest("POST", "https://login.microsoftonline.com/x/oauth2/v2.0/token",
		strings.NewReader("grant_type=refresh_token&x="+url.QueryEscape(hostileText)))
	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("grant_type=refresh_token&x=" + url.QueryEscape(hostileText))), nil
	}
	resp, err := tt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if holdsControls(tr.String()) || !strings.Contains(tr.String(), "invalid_grant") {
		t.Errorf("--trace printed %q", tr.String())
	}
	f, err := os.CreateTemp(t.TempDir(), "har")
	if err != nil {
		t.Fatal(err)
	}
	if err := tt.har.writeTo(f); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(f.Name()); holdsControls(string(b)) || !json.Valid(b) {
		t.Errorf("HAR holds terminal controls or is not JSON: %q", b)
	}
}

// The CLI's device-code prompt shows the library's phishing warning, on a
// terminal and off it, cleaned like the rest of the prompt.
func TestCountdownShowsWarning(t *testing.T) {
	for _, tty := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			var out lockedBuffer
			m := testMessage(time.Now().Add(15 * time.Minute))
			m.Warning = "the message names https://evil.example, not the verification URI" + "\u009b2J"
			c := startCountdown(&out, tty, 80, m)
			c.Stop()
			got := out.String()
			if !strings.Contains(got, "WARNING: the message names https://evil.example") || strings.Contains(got, "\u009b") {
				t.Errorf("tty %v: prompt %q lacks the cleaned warning", tty, got)
			}
			if tty {
				end := newScreen(80)
				end.Write(out.Bytes())
				if end.text() != "" || end.row != 0 {
					t.Errorf("screen after Stop = %q, want empty", end.text())
				}
			}
		})
	}
}

// Stop erases exactly the prompt's rows, counted in terminal cells: a
// message padded with combining marks (each zero cells wide) must not
// make it erase the rows the user had on screen above the prompt.
func TestCountdownErasesOnlyItsRows(t *testing.T) {
	for name, msg := range map[string]string{
		"combining marks":    "Sign in" + strings.Repeat("\u0301", 400),
		"enclosing marks":    "Sign in" + strings.Repeat("\u20dd", 200),
		"zero-width joiners": "Sign in" + strings.Repeat("\u200d", 300),
		"wide":               strings.Repeat("コ", 100),
	} {
		synctest.Test(t, func(t *testing.T) {
			const above = "user row 1\nuser row 2\nuser row 3\nuser row 4\nuser row 5\nuser row 6\n"
			var out lockedBuffer
			out.Write([]byte(above))
			m := testMessage(time.Now().Add(15 * time.Minute))
			m.Message = msg
			c := startCountdown(&out, true, 60, m)
			c.Stop()
			end := newScreen(60)
			end.Write(out.Bytes())
			if got, want := end.text(), strings.TrimSuffix(above, "\n"); got != want {
				t.Errorf("%s: screen after Stop =\n%s\nwant the user's rows only:\n%s", name, got, want)
			}
		})
	}
}

func TestCellWidth(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"abc", 3}, {"é", 1}, {"e\u0301", 1}, {"コ", 2}, {"a\u200db", 2}, {"\u20dd", 0},
		{"한", 2}, {"\u1100\u1161\u11a8", 2}, {"🙂", 2}, {"🤖", 2},
	} {
		n := 0
		for _, r := range tc.s {
			n += cellWidth(r)
		}
		if n != tc.want {
			t.Errorf("cells(%q) = %d, want %d", tc.s, n, tc.want)
		}
	}
}

// An error answer quoting our request ("...&password=...&refresh_token=...")
// in a member whose name says nothing (error_description) or in a header:
// --trace and the HAR file show fingerprints, never the values we sent.
func TestTraceRedactsEchoedSecrets(t *testing.T) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"1.AXkA-secret/refresh+token"},
		"password": {"hunter2 & co"}, "client_id": {"c"}}
	echo := form.Encode()
	body, _ := json.Marshal(map[string]any{"error": "invalid_request",
		"error_description": "AADSTS900144: request body was " + echo + "; raw " + form.Get("password") + " " + form.Get("refresh_token")})
	var tr bytes.Buffer
	tt := &traceTransport{next: rtFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"},
			"X-Echo": {echo}}, Body: io.NopCloser(bytes.NewReader(body))}, nil
	}), w: &tr, har: &harLog{}}
	req, _ := http.NewRequest("POST", "https://login.microsoftonline.com/x/oauth2/v2.0/token", strings.NewReader(echo))
	resp, err := tt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	f, _ := os.CreateTemp(t.TempDir(), "har")
	if err := tt.har.writeTo(f); err != nil {
		t.Fatal(err)
	}
	har, _ := os.ReadFile(f.Name())
	for where, text := range map[string]string{"--trace": tr.String(), "HAR": string(har)} {
		if !strings.Contains(text, "AADSTS900144") || !strings.Contains(text, "refresh_token sha256:") {
			t.Errorf("%s lacks the error or the fingerprint:\n%s", where, text)
		}
		for _, name := range []string{"password", "refresh_token"} {
			v := form.Get(name)
			for _, spelling := range []string{v, url.QueryEscape(v)} {
				if strings.Contains(text, spelling) {
					t.Errorf("%s quotes our %s (%q):\n%s", where, name, spelling, text)
				}
			}
		}
	}
}

// An error answer quoting the password with character references other
// than html.EscapeString's (&#38;, &#x3C;) is fingerprinted in the trace
// too: the trace uses the library's search (redact.ReplaceSpellings),
// not a list of spellings of its own.
func TestTraceRedactsEchoBehindReferences(t *testing.T) {
	form := url.Values{"grant_type": {"password"}, "password": {"hunter2 & <co>"}, "client_id": {"c"}}
	const quoted = "hunter2 &#38; &#x3C;co&#62;"
	var tr bytes.Buffer
	tt := &traceTransport{next: rtFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"error": "invalid_request", "error_description": "password: ` + quoted + `"}`))}, nil
	}), w: &tr, har: &harLog{}}
	req, _ := http.NewRequest("POST", "https://login.microsoftonline.com/x/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	resp, err := tt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if text := tr.String(); strings.Contains(text, quoted) || !strings.Contains(text, "password sha256:") {
		t.Errorf("--trace quotes the password behind references, or lacks its fingerprint:\n%s", text)
	}
}
