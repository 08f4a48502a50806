package main

import "testing"

// login's default follows package auto's order among the available flows
// (the browser before the device code, the device code when no browser
// can open), whatever Priority the flows declare.
func TestAutoFlowOrder(t *testing.T) {
	b, ok := flows["browser"]
	if !ok {
		t.Skip("this build has no browser flow")
	}
	saved, savedPrio := b.Available, b.Priority
	t.Cleanup(func() { b.Available, b.Priority = saved, savedPrio })
	b.Priority = 1000 // after the device code's 100: auto's order must win
	for _, tc := range []struct {
		browser bool
		want    string
	}{{true, "browser"}, {false, "device"}} {
		b.Available = func(*session) bool { return tc.browser }
		f, err := chooseFlow("", &session{})
		if err != nil || f.Name != tc.want {
			t.Errorf("browser available %v: got %v, %v; want %s", tc.browser, f, err, tc.want)
		}
	}
}
