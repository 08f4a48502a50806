//go:build unix

package azurecli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkAzOutputCap is what 40 MB of output from a hostile az costs:
// B/op is the heap allocated while az writes it (the cap keeps 1 MiB of
// it, whatever way exec copies), and the run must end in the size error.
//
//	go test -run XXX -bench AzOutputCap -benchmem ./azurecli/
func BenchmarkAzOutputCap(b *testing.B) {
	const size = 40 << 20
	b.Run("runAz", func(b *testing.B) {
		az := filepath.Join(b.TempDir(), "az")
		script := "#!/bin/sh\nhead -c " + strconv.Itoa(size) + " /dev/zero\n"
		if err := os.WriteFile(az, []byte(script), 0o700); err != nil {
			b.Fatal(err)
		}
		c, err := New(&Options{AzPath: az, DisableTokenCache: true, Timeout: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := c.runAz(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "printed over") {
				b.Fatalf("runAz = %v, want the size error", err)
			}
		}
	})
	b.Run("copy", func(b *testing.B) {
		for b.Loop() {
			buf := &limitedBuffer{max: maxStdout}
			if _, err := io.Copy(buf, io.LimitReader(zeros{}, size)); err != nil || !buf.over {
				b.Fatal(err)
			}
		}
	})
}
