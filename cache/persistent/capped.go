package persistent

import "bytes"

// cappedBuffer keeps the first max bytes written to it and drops the rest,
// for a child process's output (security(1)). Its bytes.Buffer is a named
// field, not embedded: an embedded one would promote ReadFrom, which
// io.Copy (exec's copy) prefers to Write, and the cap would not hold.
type cappedBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	room := max(b.max-b.buf.Len(), 0)
	b.buf.Write(p[:min(room, len(p))])
	return len(p), nil
}

func (b *cappedBuffer) String() string { return b.buf.String() }
