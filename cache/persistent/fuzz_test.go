package persistent

import (
	"bytes"
	"testing"
)

// FuzzDecodePayload: any stored secret decodes or fails cleanly, and what
// the store writes (raw or base64) always decodes back to the document.
func FuzzDecodePayload(f *testing.F) {
	f.Add([]byte(`{"AccessToken":{}}`))
	f.Add([]byte("eyJBY2Nlc3NUb2tlbiI6e319"))
	f.Add([]byte("  \n"))
	f.Add([]byte("not base64!"))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodePayload(data)
		if len(bytes.TrimSpace(data)) == 0 || data[0] != '{' {
			return // raw payloads are JSON documents, which start with '{'
		}
		for _, raw := range []bool{true, false} {
			got, err := decodePayload(encodePayload(data, raw))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("raw=%v: round trip = %q, %v", raw, got, err)
			}
		}
	})
}
