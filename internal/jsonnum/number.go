// Package jsonnum decodes the JSON numbers that Microsoft's endpoints and
// brokers send either as numbers or as strings holding one
// ("expires_in": "3599", "expiresOn": "1700000000000").
package jsonnum

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// limit bounds Value: far beyond any lifetime, epoch or error code, and
// exactly representable, so that conversions to int64 never overflow.
const limit = 1e15

// Number is a JSON number, or a string holding one. null leaves it unset.
type Number struct {
	// Value is the number, clamped to [-1e15, 1e15].
	Value float64
	// Set reports whether the member held a number.
	Set bool
	// Whole reports whether the number, before clamping, had no
	// fractional part.
	Whole bool
}

// UnmarshalJSON reads a number, or a string holding one (spaces around
// it allowed); NaN and infinities are refused.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.New("not a number")
	}
	n.Value, n.Set, n.Whole = max(min(v, limit), -limit), true, v == math.Trunc(v)
	return nil
}

// Int returns Value truncated toward zero.
func (n Number) Int() int64 { return int64(n.Value) }
