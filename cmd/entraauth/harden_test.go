package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
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
