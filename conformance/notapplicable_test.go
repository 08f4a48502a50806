package conformance

import (
	"sync/atomic"
	"testing"
)

// TestNotApplicableDoesNotRun lists every check as not applicable: none
// may build a credential, and each must be reported as skipped.
func TestNotApplicableDoesNotRun(t *testing.T) {
	na := map[string]string{}
	for _, c := range checks() {
		na[c.name] = "a test of NotApplicable"
	}
	var built atomic.Int32
	ran := t.Run("kit", func(t *testing.T) {
		TestCredential(t, Config{
			Name:          "not applicable",
			NotApplicable: na,
			New: func(t testing.TB, env *Env) Subject {
				built.Add(1)
				t.Fatalf("a check listed as not applicable ran")
				return Subject{}
			},
		})
	})
	if !ran || built.Load() != 0 {
		t.Fatalf("the kit passed %v, built %d credentials; want a pass with none built", ran, built.Load())
	}
}
