package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// FuzzJSONSafe: for any string value, the escaped JSON carries no
// character the sanitizer strips and decodes to the same value.
func FuzzJSONSafe(f *testing.F) {
	for _, s := range []string{"", "plain", hostileText, "\u009b\u009d\u202a\u2069", "\u2028\u2029", "コ\u0301", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := json.Marshal(map[string]string{s: s})
		if err != nil {
			t.Skip()
		}
		out := jsonSafe(b)
		if clean(string(out)) != string(out) {
			t.Fatalf("jsonSafe(%q) = %q keeps a character the sanitizer strips", b, out)
		}
		var before, after any
		if err := json.Unmarshal(b, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &after); err != nil || !reflect.DeepEqual(before, after) {
			t.Fatalf("jsonSafe changed the meaning: %q -> %q (%v)", b, out, err)
		}
	})
}

// FuzzPhysicalLines: a line takes at least one row and no more than one
// per cell; combining marks never add rows; a line of n ASCII letters
// takes ceil(n/width) rows.
func FuzzPhysicalLines(f *testing.F) {
	f.Add("Sign in"+strings.Repeat("\u0301", 50), 20)
	f.Add(strings.Repeat("コ", 41), 80)
	f.Add("a\u200db", 1)
	f.Fuzz(func(t *testing.T, s string, width int) {
		width = 1 + abs(width)%200
		rows := physicalLines(s, width)
		cells := 0
		for _, r := range s {
			cells += cellWidth(r)
		}
		if rows < 1 || (cells > 0 && rows > cells) {
			t.Fatalf("physicalLines(%q, %d) = %d rows for %d cells", s, width, rows, cells)
		}
		bare := strings.Map(func(r rune) rune {
			if unicode.In(r, unicode.Mn, unicode.Me) {
				return -1
			}
			return r
		}, s)
		if r2 := physicalLines(bare, width); r2 != rows {
			t.Fatalf("combining marks changed the rows of %q at %d: %d vs %d without", s, width, rows, r2)
		}
		ascii := strings.Repeat("x", len(s))
		if got, want := physicalLines(ascii, width), max(1, (len(s)+width-1)/width); got != want {
			t.Fatalf("physicalLines(%d x's, %d) = %d, want %d", len(s), width, got, want)
		}
	})
}

// FuzzCheckTokenChars: an accepted token prints unchanged through the
// sanitizer and holds no space, quote or shell metacharacter.
func FuzzCheckTokenChars(f *testing.F) {
	for _, s := range []string{"eyJ0.eyJ0.sig", "EwB/+abc==", "a\u009bb", "a b", "=", "a=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		if checkTokenChars(tok) != nil {
			return
		}
		if clean(tok) != tok || strings.ContainsAny(tok, " \t\"'`$;&|<>()\\") || tok == "" {
			t.Fatalf("accepted %q", tok)
		}
		if i := strings.IndexByte(tok, '='); i >= 0 && strings.TrimLeft(tok[i:], "=") != "" {
			t.Fatalf("accepted %q with '=' before the end", tok)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FuzzTraceEcho: an error answer quoting a secret we sent (raw or
// query-escaped) shows in the trace only as its fingerprint.
func FuzzTraceEcho(f *testing.F) {
	f.Add("hunter2 & co", "request was password=", "&x=1", false)
	f.Add("1.AXkA-secret/refresh+token", "", "", true)
	f.Fuzz(func(t *testing.T, secret, before, after string, escaped bool) {
		if len(secret) < 4 || strings.ContainsAny(secret, "<>") {
			t.Skip()
		}
		quoted := secret
		if escaped {
			quoted = url.QueryEscape(secret)
		}
		// Without HTML escaping, so the body spells quoted as it is and
		// the check below can take it out ('&' would be \u0026).
		var enc bytes.Buffer
		e := json.NewEncoder(&enc)
		e.SetEscapeHTML(false)
		if e.Encode(map[string]string{"error": "x", "error_description": before + quoted + after}) != nil {
			t.Skip()
		}
		body := bytes.TrimSuffix(enc.Bytes(), []byte("\n"))
		base := redactBody("application/json", []byte(strings.ReplaceAll(string(body), quoted, "")))
		if strings.Contains(base, secret) || strings.Contains(base, quoted) {
			t.Skip() // the surrounding text spells it by itself
		}
		sent := sentSecrets(url.Values{"password": {secret}}.Encode())
		got := redactEcho(redactBody("application/json", body), sent)
		if strings.Contains(got, secret) || strings.Contains(got, quoted) {
			t.Fatalf("trace of %s keeps the secret: %s", body, got)
		}
	})
}
