package broker

import (
	"errors"
	"unicode/utf16"
)

// hstringUnits is s as the UTF-16 code units of a WinRT HSTRING, whose
// length is counted in code units: a character outside the Basic
// Multilingual Plane is two (a rune count would cut the string short). A
// NUL is refused: WinRT strings from this package never carry one.
func hstringUnits(s string) ([]uint16, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return nil, errors.New("broker: a string for WinRT holds a NUL")
		}
	}
	return utf16.Encode([]rune(s)), nil
}
