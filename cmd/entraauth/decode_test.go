package main

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func jwt(header, claims string) string {
	e := base64.RawURLEncoding.EncodeToString
	return e([]byte(header)) + "." + e([]byte(claims)) + ".c2ln"
}

func TestDecodeJWT(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name, raw   string
		wantErr     string
		wantExpired *bool
	}{
		{"valid", jwt(`{"alg":"RS256","kid":"k"}`, `{"aud":"a","exp":1800000600}`), "", ptr(false)},
		{"expired, Bearer prefix", "Bearer " + jwt(`{"alg":"RS256"}`, `{"exp":1799999999}`), "", ptr(true)},
		{"no exp", jwt(`{"alg":"none"}`, `{"sub":"x"}`), "", nil},
		{"two parts", "a.b", "2 dot-separated parts", nil},
		{"not base64", "eyJhbGciOiJub25lIn0.%%%.c", "part 2 is not base64url", nil},
		{"not an object", jwt(`[1]`, `{}`), "part 1 is not a JSON object", nil},
		{"null claims", jwt(`{}`, `null`), "part 2 is not a JSON object", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := decodeJWT(tt.raw, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("decodeJWT() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (d.Expired == nil) != (tt.wantExpired == nil) || (d.Expired != nil && *d.Expired != *tt.wantExpired) {
				t.Errorf("Expired = %v, want %v", d.Expired, tt.wantExpired)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecodeCommand(t *testing.T) {
	io, out, errb := testIO(t, nil)
	io.stdin = strings.NewReader(jwt(`{"alg":"RS256"}`, `{"name":"Alice","exp":4102444800}`) + "\n")
	if code := run(t.Context(), []string{"decode", "--output", "json"}, io); code != exitOK {
		t.Fatalf("decode = exit %d: %s", code, errb)
	}
	for _, want := range []string{`"name": "Alice"`, `"expiresOn": "2100-01-01T00:00:00Z"`, `"verified": false`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("decode output lacks %s:\n%s", want, out)
		}
	}
}

func FuzzDecodeJWT(f *testing.F) {
	f.Add(jwt(`{"alg":"RS256"}`, `{"exp":1800000000}`))
	f.Add("a.b.c")
	f.Add(jwt(`{}`, `{"exp":1e308}`))
	f.Fuzz(func(t *testing.T, raw string) {
		d, err := decodeJWT(raw, time.Unix(0, 0))
		if err == nil && (d.Header == nil || d.Claims == nil) {
			t.Fatalf("decodeJWT(%q) succeeded without header or claims", raw)
		}
	})
}
