package main

import (
	"strings"
	"testing"
	"unicode"
)

// screen is a minimal terminal emulator for tests: it understands the
// output of the countdown (printable runes with wrapping at width, CR, LF,
// ESC[2K, ESC[K, ESC[1A/ESC[nA) and reports any other escape sequence as
// unknown, so that the final screen a user would see can be checked.
type screen struct {
	width    int
	rows     [][]rune
	row, col int
	unknown  []string
}

func newScreen(width int) *screen { return &screen{width: width, rows: [][]rune{nil}} }

func (s *screen) put(r rune) {
	if unicode.In(r, unicode.Mn, unicode.Me) || r >= 0x200b && r <= 0x200f || r >= 0x2060 && r <= 0x2064 {
		return // a combining mark or zero-width character takes no cell (wcwidth 0)
	}
	w := 1
	if isWide(r) {
		w = 2
	}
	if s.col+w > s.width {
		s.newline()
	}
	line := s.rows[s.row]
	for len(line) < s.col+w {
		line = append(line, ' ')
	}
	line[s.col] = r
	if w == 2 {
		line[s.col+1] = 0 // the right half of a wide character
	}
	s.rows[s.row] = line
	s.col += w
}

func (s *screen) newline() {
	s.row++
	s.col = 0
	if s.row == len(s.rows) {
		s.rows = append(s.rows, nil)
	}
}

// Write feeds terminal output; it never fails.
func (s *screen) Write(p []byte) (int, error) {
	in := []rune(string(p))
	for i := 0; i < len(in); i++ {
		switch r := in[i]; r {
		case '\r':
			s.col = 0
		case '\n':
			s.newline()
		case '\x1b':
			j := i + 1
			if j < len(in) && in[j] == '[' {
				j++
				for j < len(in) && (in[j] >= '0' && in[j] <= '9' || in[j] == ';') {
					j++
				}
			}
			if j >= len(in) {
				s.unknown = append(s.unknown, string(in[i:]))
				return len(p), nil
			}
			s.csi(string(in[i : j+1]))
			i = j
		default:
			s.put(r)
		}
	}
	return len(p), nil
}

func (s *screen) csi(seq string) {
	switch seq {
	case "\x1b[2K":
		s.rows[s.row] = nil
	case "\x1b[K", "\x1b[0K":
		if s.col < len(s.rows[s.row]) {
			s.rows[s.row] = s.rows[s.row][:s.col]
		}
	case "\x1b[1A", "\x1b[A":
		if s.row > 0 {
			s.row--
		}
	default:
		s.unknown = append(s.unknown, seq)
	}
}

// text is the visible screen, rows trimmed, trailing empty rows dropped.
func (s *screen) text() string {
	var out []string
	for _, r := range s.rows {
		out = append(out, strings.TrimRight(strings.ReplaceAll(string(r), "\x00", ""), " "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

func TestScreen(t *testing.T) {
	s := newScreen(10)
	s.Write([]byte("0123456789abc\nline\r\x1b[2Kx\x1b[1A\x1b[1A\x1b[2K"))
	if got, want := s.text(), "\nabc\nx"; got != want {
		t.Errorf("screen = %q, want %q", got, want)
	}
	if s.unknown != nil {
		t.Errorf("unknown sequences %q", s.unknown)
	}
}
