package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/entraauth/entraauth/devicecode"
)

func TestFormatLeft(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{15 * time.Minute, "15:00"},
		{15*time.Minute - time.Millisecond, "15:00"},
		{14*time.Minute + 59*time.Second, "14:59"},
		{time.Second, "0:01"},
		{time.Millisecond, "0:01"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
	}
	for _, tt := range tests {
		if got := formatLeft(tt.d); got != tt.want {
			t.Errorf("formatLeft(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := countdownLine(0); !strings.Contains(got, "expired") {
		t.Errorf("countdownLine(0) = %q, want it to say expired", got)
	}
}

func TestPhysicalLines(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  int
	}{
		{"", 80, 1}, {"abc", 80, 1}, {strings.Repeat("x", 80), 80, 1},
		{strings.Repeat("x", 81), 80, 2}, {strings.Repeat("é", 25), 10, 3}, {"abc", 0, 1},
		{strings.Repeat("コ", 40), 80, 1}, {strings.Repeat("コ", 41), 80, 2}, {"x" + strings.Repeat("コ", 40), 80, 2},
		{"abcdefghi" + "コ", 10, 2}, // the wide character does not fit in the last column
	}
	for _, tt := range tests {
		if got := physicalLines(tt.s, tt.width); got != tt.want {
			t.Errorf("physicalLines(%d runes, %d) = %d, want %d", len([]rune(tt.s)), tt.width, got, tt.want)
		}
	}
}

func testMessage(expires time.Time) devicecode.Message {
	return devicecode.Message{
		UserCode:        "FAKE-1234",
		VerificationURI: "https://microsoft.com/devicelogin",
		Message:         "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE-1234 to authenticate.",
		ExpiresOn:       expires,
	}
}

// TestCountdownTerminal checks, on the fake clock, that the live line
// counts down once a second and that Stop leaves a blank screen, at a
// width where Entra's message wraps over two rows.
func TestCountdownTerminal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out lockedBuffer
		c := startCountdown(&out, true, 60, testMessage(time.Now().Add(15*time.Minute)))
		time.Sleep(2500 * time.Millisecond)
		mid := newScreen(60)
		mid.Write(out.Bytes())
		c.Stop()
		c.Stop() // idempotent
		got := out.String()
		for _, want := range []string{"Expires in 15:00", "Expires in 14:59", "Expires in 14:58", "Code: FAKE-1234", "Open: https://microsoft.com/devicelogin"} {
			if !strings.Contains(got, want) {
				t.Errorf("output lacks %q:\n%q", want, got)
			}
		}
		if strings.Contains(got, "14:57") {
			t.Errorf("countdown ran ahead of the clock: %q", got)
		}
		if !strings.Contains(mid.text(), "Expires in 14:58") || strings.Contains(mid.text(), "14:59") {
			t.Errorf("screen while waiting:\n%s\nwant only the latest countdown", mid.text())
		}
		end := newScreen(60)
		end.Write(out.Bytes())
		if end.text() != "" || end.row != 0 || end.col != 0 || end.unknown != nil {
			t.Errorf("screen after Stop = %q (cursor %d,%d, unknown %q), want empty with the cursor home", end.text(), end.row, end.col, end.unknown)
		}
	})
}

// TestCountdownTerminalWide: a localized message in wide characters that
// wraps is erased completely too.
func TestCountdownTerminalWide(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out lockedBuffer
		m := testMessage(time.Now().Add(15 * time.Minute))
		m.Message = strings.Repeat("サインインするには、ブラウザーでページを開きます。", 4)
		c := startCountdown(&out, true, 50, m)
		time.Sleep(1500 * time.Millisecond)
		c.Stop()
		end := newScreen(50)
		end.Write(out.Bytes())
		if end.text() != "" || end.row != 0 {
			t.Errorf("screen after Stop = %q (row %d), want empty", end.text(), end.row)
		}
	})
}

func TestCountdownPlain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		c := startCountdown(&out, false, 0, testMessage(time.Now().Add(15*time.Minute)))
		time.Sleep(3 * time.Second)
		c.Stop()
		got := out.String()
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if len(lines) != 2 || lines[0] != testMessage(time.Time{}).Message || !strings.HasPrefix(lines[1], "Waiting for sign-in; the code expires at ") {
			t.Errorf("plain output = %q, want the message and one waiting line", got)
		}
		if strings.ContainsAny(got, "\x1b\r") {
			t.Errorf("plain output has terminal control characters: %q", got)
		}
	})
}

// lockedBuffer is a bytes.Buffer safe for one writer goroutine and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

func (l *lockedBuffer) String() string { return string(l.Bytes()) }
