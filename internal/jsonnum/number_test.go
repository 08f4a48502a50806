package jsonnum

import (
	"math"
	"testing"
)

func TestNumber(t *testing.T) {
	for _, tt := range []struct {
		in         string
		ok         bool
		want       float64
		set, whole bool
	}{
		{`3599`, true, 3599, true, true},
		{`"3599"`, true, 3599, true, true},
		{`" 42 "`, true, 42, true, true},
		{`1.5`, true, 1.5, true, false},
		{`-7`, true, -7, true, true},
		{`1e300`, true, 1e15, true, true},
		{`-1e300`, true, -1e15, true, true},
		{`null`, true, 0, false, false},
		{`"NaN"`, false, 0, false, false},
		{`"Inf"`, false, 0, false, false},
		{`"abc"`, false, 0, false, false},
		{`""`, false, 0, false, false},
		{`"unterminated`, false, 0, false, false},
	} {
		var n Number
		err := n.UnmarshalJSON([]byte(tt.in))
		if (err == nil) != tt.ok || n.Value != tt.want || n.Set != tt.set || n.Whole != tt.whole {
			t.Errorf("%s: got %+v, %v; want %v set=%v whole=%v ok=%v", tt.in, n, err, tt.want, tt.set, tt.whole, tt.ok)
		}
	}
	if got := (Number{Value: -2.9}).Int(); got != -2 {
		t.Errorf("Int(-2.9) = %d, want -2", got)
	}
}

// FuzzNumber: whatever the input, an accepted number is finite, within
// the limit, and its Int does not overflow.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{`3599`, `"3599"`, `1.5`, `null`, `"1e400"`, `-0`, `"0x10"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var n Number
		if n.UnmarshalJSON(b) != nil {
			return
		}
		if math.IsNaN(n.Value) || math.Abs(n.Value) > limit {
			t.Fatalf("%q: value %v out of range", b, n.Value)
		}
		if i := n.Int(); i > limit || i < -limit {
			t.Fatalf("%q: Int %d out of range", b, i)
		}
	})
}
