package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/entraauth/entraauth/devicecode"
)

// ANSI sequences the live prompt uses: erase the line, move up one line.
const (
	eraseLine = "\r\x1b[2K"
	lineUp    = "\x1b[1A"
)

// countdown shows a device-code prompt. On a terminal it shows the code,
// the URL and a live "expires in m:ss" line updated every second, and
// erases all of it when stopped, so that the screen ends with the result
// of the sign-in. On anything else (a file, a pipe) it prints plain lines
// once and erases nothing.
type countdown struct {
	w     io.Writer
	tty   bool
	width int // columns; 0 = unknown (80 assumed)
	msg   devicecode.Message
	lines int // full lines written above the live line

	stopc chan struct{}
	done  chan struct{}
}

// startCountdown prints the prompt for m and, on a terminal, starts the
// live countdown. Call Stop when sign-in ends, whatever the outcome.
func startCountdown(w io.Writer, tty bool, width int, m devicecode.Message) *countdown {
	m.Message, m.UserCode, m.VerificationURI = clean(m.Message), clean(m.UserCode), clean(m.VerificationURI)
	m.Warning = clean(m.Warning)
	c := &countdown{w: w, tty: tty, width: width, msg: m, stopc: make(chan struct{}), done: make(chan struct{})}
	if !tty {
		if m.Warning != "" {
			fmt.Fprintln(w, "WARNING: "+m.Warning)
		}
		fmt.Fprintln(w, m.Message)
		fmt.Fprintf(w, "Waiting for sign-in; the code expires at %s.\n", m.ExpiresOn.Format("15:04:05 MST"))
		close(c.done)
		return c
	}
	head := []string{m.Message, "", "  Code: " + m.UserCode, "  Open: " + m.VerificationURI}
	if m.Warning != "" {
		// The library's phishing warning (the message names a page other
		// than the verified URI): shown first, as its own prompt does.
		head = append([]string{"WARNING: " + m.Warning}, head...)
	}
	for _, l := range head {
		fmt.Fprintln(w, l)
		c.lines += physicalLines(l, c.width)
	}
	io.WriteString(w, countdownLine(time.Until(m.ExpiresOn)))
	go c.tick()
	return c
}

func (c *countdown) tick() {
	defer close(c.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-c.stopc:
			return
		case <-t.C:
			io.WriteString(c.w, eraseLine+countdownLine(time.Until(c.msg.ExpiresOn)))
		}
	}
}

// Stop ends the countdown and, on a terminal, erases the prompt. It may be
// called more than once.
func (c *countdown) Stop() {
	select {
	case <-c.stopc:
		return
	default:
		close(c.stopc)
	}
	<-c.done
	if c.tty {
		io.WriteString(c.w, eraseLine+strings.Repeat(lineUp+eraseLine, c.lines))
	}
}

// countdownLine is the live line for the time left.
func countdownLine(left time.Duration) string {
	if left <= 0 {
		return "  The code has expired."
	}
	return "  Expires in " + formatLeft(left) + "  (Ctrl-C to cancel)"
}

// formatLeft renders a duration rounded up to the second as m:ss, or
// h:mm:ss from an hour on.
func formatLeft(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// physicalLines is how many terminal rows a line of text takes at width
// columns (80 when unknown); an empty line takes one. It counts terminal
// cells, not bytes or runes: East Asian wide characters (a message
// localized with mkt=ja-JP, say) take two, and one that does not fit at
// the end of a row moves to the next; combining marks and format
// characters take none (a message padded with them must not make Stop
// erase rows the user had on screen).
func physicalLines(s string, width int) int {
	if width <= 0 {
		width = 80
	}
	rows, col := 1, 0
	for _, r := range s {
		w := cellWidth(r)
		if w == 0 {
			continue
		}
		if col+w > width {
			rows++
			col = 0
		}
		col += w
	}
	return rows
}

// cellWidth is how many terminal cells r takes: 0 for a combining mark
// (Mn, Me), a format character (Cf: zero-width joiners, soft hyphen) or
// a control; 2 for a wide character; else 1.
func cellWidth(r rune) int {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return 0
	case r < 0x300: // ASCII and Latin: no marks below U+0300
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf), r >= 0x1160 && r <= 0x11ff: // Hangul medial vowels and finals join
		return 0
	case isWide(r):
		return 2
	}
	return 1
}

// isWide reports whether r takes two terminal columns (the main East Asian
// Wide and Fullwidth blocks).
func isWide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0x303E, r >= 0x3041 && r <= 0x33FF,
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xA000 && r <= 0xA4CF,
		r >= 0xAC00 && r <= 0xD7A3, r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6, r >= 0x1F300 && r <= 0x1F64F,
		r >= 0x1F900 && r <= 0x1F9FF, r >= 0x20000 && r <= 0x3FFFD:
		return true
	}
	return false
}
