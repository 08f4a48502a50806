package azurecli_test

import (
	"context"
	"testing"
	"time"

	"github.com/entraauth/entraauth/azurecli"
	"github.com/entraauth/entraauth/oauth"
)

// BenchmarkWarmToken compares, in one run, a warm token from the Azure
// CLI session read through this package's credential (ns/op, also
// session-ns/op) with the subprocess route every other library takes,
// az account get-access-token (az-ns/op, the mean of azRuns runs of the
// real az against the fake authority), and reports az/session, how many
// times faster the session route is. It needs Debian's azure-cli.
//
//	go test -run XXX -bench WarmToken ./azurecli/
func BenchmarkWarmToken(b *testing.B) {
	const azRuns = 3
	w := newAzWorld(b, nil)
	w.login(b)
	ctx := context.Background()
	opts := oauth.TokenOptions{Scopes: []string{armScope}}
	sub, err := azurecli.New(&azurecli.Options{ConfigDir: w.configDir, DisableTokenCache: true, Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for range azRuns {
		if _, err := sub.GetToken(ctx, opts); err != nil {
			b.Fatal(err)
		}
	}
	azNs := float64(time.Since(start).Nanoseconds()) / azRuns

	cred, err := azurecli.New(&azurecli.Options{ClientOptions: oauth.ClientOptions{HTTPClient: w.httpClient()}, ConfigDir: w.configDir, DisableSubprocess: true})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cred.GetToken(ctx, opts); err != nil { // opens the cache once
		b.Fatal(err)
	}
	w.authority.ResetLog()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := cred.GetToken(ctx, opts); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if r := len(w.authority.Requests()); r != 0 {
		b.Fatalf("%d requests during the warm loop", r)
	}
	sessionNs := float64(b.Elapsed().Nanoseconds()) / float64(n)
	b.ReportMetric(sessionNs, "session-ns/op")
	b.ReportMetric(azNs, "az-ns/op")
	b.ReportMetric(azNs/sessionNs, "az/session")
}
