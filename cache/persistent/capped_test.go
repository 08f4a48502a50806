package persistent

import (
	"io"
	"testing"
)

// The cap on security(1)'s output holds through io.Copy, which exec uses
// and which prefers a ReadFrom method over Write.
func TestCappedBufferHoldsThroughCopy(t *testing.T) {
	b := &cappedBuffer{max: 100}
	if _, err := io.Copy(b, io.LimitReader(zeroReader{}, 4<<20)); err != nil {
		t.Fatal(err)
	}
	if n := len(b.String()); n != 100 {
		t.Errorf("kept %d bytes, want 100", n)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }
