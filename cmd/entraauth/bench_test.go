package main

import (
	"testing"
)

// BenchmarkLoginFake measures `entraauth login --fake --flow device`, in
// process, from a fresh profile each time: the fake authority as --fake
// configures it (device interval fakeInterval, approval fakeApproveWait
// after the code is issued), the device code flow's polling, the token
// exchange, ID token verification and the plain-file cache write. Its time
// is dominated by the fake's wait and the polling interval (a real user
// takes longer); what it guards is that nothing adds to them.
func BenchmarkLoginFake(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		sio, _, errb := testIO(b, nil)
		b.StartTimer()
		if code := run(b.Context(), []string{"login", "--fake", "--flow", "device", "--output", "json"}, sio); code != exitOK {
			b.Fatalf("login --fake = exit %d; stderr:\n%s", code, errb)
		}
	}
}
