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

// coldAccounts is the number of accounts in BenchmarkColdProcess's file.
const coldAccounts = 1000

// cloneAccounts turns a document holding one signed-in account into one
// holding n: every entry is copied with the account's uid replaced (a
// GUID made from the copy's number) in its home_account_id, its key and,
// for Account entries, the username; access tokens are made valid for a
// day. It returns the document and the home account ID and username of
// the copy in the middle.
func cloneAccounts(tb testing.TB, doc []byte, n int) (out []byte, home, user string) {
	tb.Helper()
	var d map[string]map[string]map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		tb.Fatal(err)
	}
	var origHome, origUser string
	for _, a := range d["Account"] {
		origHome, _ = a["home_account_id"].(string)
		origUser, _ = a["username"].(string)
	}
	uid := strings.SplitN(origHome, ".", 2)[0]
	exp := fmt.Sprint(time.Now().Add(24 * time.Hour).Unix())
	for section, entries := range d {
		if section == "AppMetadata" {
			continue
		}
		cloned := map[string]map[string]any{}
		for key, e := range entries {
			for i := range n {
				newUID := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
				c := make(map[string]any, len(e))
				for k, v := range e {
					c[k] = v
				}
				c["home_account_id"] = strings.Replace(origHome, uid, newUID, 1)
				if section == "Account" {
					c["username"] = fmt.Sprintf("user%d-%s", i, origUser)
				}
				if section == "AccessToken" {
					c["expires_on"], c["extended_expires_on"] = exp, exp
				}
				cloned[strings.Replace(key, uid, newUID, 1)] = c
				if i == n/2 {
					home, _ = c["home_account_id"].(string)
					user = fmt.Sprintf("user%d-%s", i, origUser)
				}
			}
		}
		d[section] = cloned
	}
	out, err := json.Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}
	return out, home, user
}

// BenchmarkColdProcess is a whole process that loads a persisted cache
// of 1,000 accounts (about 4 to 5 MB) and prints one silent token: the
// cost a CLI or a kubectl exec plugin pays on every run. One op is one
// exec of the program (built outside the timer), so process start-up is
// in it, for both libraries alike. entraauth reads the file through its
// plaintext file storage; MSAL Go through a file-backed ExportReplace
// accessor.
func BenchmarkColdProcess(b *testing.B) {
	dir := b.TempDir()
	a := fa.New(nil)
	c, _ := signedInEntraauth(b, a)
	doc, err := c.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	doc, home, user := cloneAccounts(b, doc, coldAccounts)
	for _, l := range []string{"entraauth", "msalgo"} {
		b.Run("lib="+l, func(b *testing.B) {
			bin := filepath.Join(dir, l)
			if out, err := exec.Command("go", "build", "-o", bin, "./coldproc/"+l).CombinedOutput(); err != nil {
				b.Fatalf("build %s: %v\n%s", l, err, out)
			}
			file := filepath.Join(dir, l+".json")
			if err := os.WriteFile(file, doc, 0o600); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				out, err := exec.Command(bin, file, fa.AzureCLIClientID, fa.DefaultTenantID, home, user).CombinedOutput()
				if err != nil || len(out) < 20 {
					b.Fatalf("%s: %v\n%s", l, err, out)
				}
			}
			b.ReportMetric(float64(len(doc)), "cache-bytes")
		})
	}
}
