package bench_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fa "github.com/entraauth/entraauth/conformance/fakeauthority"
)

// newProcFake is the fake authority on a loopback TLS socket posing as
// login.microsoftonline.com (its certificate names that host), with its
// certificate in a file the programs trust, and the two programs built.
type newProcFake struct {
	a    *fa.Authority
	cert string
	bins map[string]string
}

func startNewProcFake(b *testing.B) *newProcFake { return startNewProcFakeT(b) }

func startNewProcFakeT(b testing.TB) *newProcFake {
	b.Helper()
	dir := b.TempDir()
	a, err := fa.Listen("127.0.0.1:0", &fa.Options{Host: fa.DefaultHost})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	f := &newProcFake{a: a, cert: filepath.Join(dir, "cert.pem"), bins: map[string]string{}}
	if err := os.WriteFile(f.cert, a.CertPEM(), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, l := range []string{"entraauth", "msalgo"} {
		f.bins[l] = filepath.Join(dir, l)
		if out, err := exec.Command("go", "build", "-o", f.bins[l], "./newproc/"+l).CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", l, err, out)
		}
	}
	return f
}

// addr is the fake's host:port.
func (f *newProcFake) addr() string { return strings.TrimPrefix(f.a.URL(), "https://") }

// run starts lib's program once against addr; it fails the benchmark
// unless the program printed a token.
func (f *newProcFake) run(b *testing.B, lib, addr, cacheFile, mode string) {
	out, err := exec.Command(f.bins[lib], "-addr", addr, "-cert", f.cert, "-cache", cacheFile, "-mode", mode,
		"-client", fa.AzureCLIClientID, "-tenant", fa.DefaultTenantID,
		"-user", fa.DefaultUsername, "-password", fa.DefaultPassword).CombinedOutput()
	if err != nil || len(out) < 20 {
		b.Fatalf("%s -mode %s: %v\n%s", lib, mode, err, out)
	}
}

// BenchmarkNewProcessFirstToken is a first token in a new process: one
// op is one run of a program (built outside the timer) with no cache
// file yet, signing in with the password grant, through a proxy that
// adds the round-trip time to every handshake and request. Unlike
// BenchmarkColdFirstToken, every op pays process start-up and new TCP
// and TLS connections, as a CLI does on each run. Instance discovery is
// on as each library ships it.
func BenchmarkNewProcessFirstToken(b *testing.B) {
	f := startNewProcFake(b)
	for _, rtt := range rtts {
		addr := startRTTProxy(b, f.addr(), rtt)
		for _, lib := range []string{"entraauth", "msalgo"} {
			b.Run(fmt.Sprintf("rtt=%dms/lib=%s", rtt.Milliseconds(), lib), func(b *testing.B) {
				dir := b.TempDir()
				f.a.ResetLog()
				n := 0
				for b.Loop() {
					n++
					f.run(b, lib, addr, filepath.Join(dir, fmt.Sprintf("c%d.json", n)), "first")
				}
				b.ReportMetric(float64(len(f.a.Requests()))/float64(n), "req/op")
			})
		}
	}
}

// BenchmarkNewProcessRefresh is a refresh in a new process: the cache
// file holds a signed-in account whose access tokens have expired, so
// the program must redeem the refresh token. entraauth finds the
// authority's key set kept beside the cache file (as it keeps it by
// default). One op is one run of the program; restoring the file is
// outside the timer.
func BenchmarkNewProcessRefresh(b *testing.B) {
	f := startNewProcFake(b)
	for _, lib := range []string{"entraauth", "msalgo"} {
		b.Run("lib="+lib, func(b *testing.B) { f.refreshLoop(b, lib, false) })
	}
}

// BenchmarkNewProcessRefreshKeysNotKept is BenchmarkNewProcessRefresh
// for entraauth with the kept key set deleted before each op: what every
// new process paid before the key set was kept.
func BenchmarkNewProcessRefreshKeysNotKept(b *testing.B) {
	f := startNewProcFake(b)
	b.Run("lib=entraauth", func(b *testing.B) { f.refreshLoop(b, "entraauth", true) })
}

func (f *newProcFake) refreshLoop(b *testing.B, lib string, dropKeys bool) {
	dir := b.TempDir()
	file := filepath.Join(dir, "cache.json")
	f.run(b, lib, f.addr(), file, "first")
	expired := expireAccessTokens(b, file)
	f.a.ResetLog()
	n := 0
	for b.Loop() {
		b.StopTimer()
		if err := os.WriteFile(file, expired, 0o600); err != nil {
			b.Fatal(err)
		}
		if dropKeys {
			_ = os.Remove(file + ".keys.json")
		}
		b.StartTimer()
		n++
		f.run(b, lib, f.addr(), file, "silent")
	}
	b.ReportMetric(float64(len(f.a.Requests()))/float64(n), "req/op")
}

// expireAccessTokens returns the cache file's document with every access
// token expired an hour ago (refresh tokens untouched).
func expireAccessTokens(b *testing.B, file string) []byte {
	b.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	var d map[string]map[string]map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		b.Fatal(err)
	}
	past := fmt.Sprint(time.Now().Add(-time.Hour).Unix())
	if len(d["AccessToken"]) == 0 {
		b.Fatalf("no access token in %s", file)
	}
	for _, e := range d["AccessToken"] {
		e["expires_on"], e["extended_expires_on"] = past, past
		delete(e, "refresh_on")
	}
	out, err := json.Marshal(d)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
