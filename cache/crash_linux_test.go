package cache

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

const childEnvCrash = "ENTRAAUTH_CACHE_TEST_CRASH_WRITER"

// TestWriteCutShortKeepsOldFile makes a real write stop partway: a child
// process lowers its file-size limit (RLIMIT_FSIZE) below the size of the
// document it is about to write, so the kernel refuses the rest of the
// write (EFBIG; SIGXFSZ is ignored so the child can report). The cache
// file must still hold the previous document, whole. A writer that
// truncated and rewrote the file in place, as the MSAL extensions do,
// fails this test with a torn file (checked by hand when writing it).
func TestWriteCutShortKeepsOldFile(t *testing.T) {
	if path := os.Getenv(childEnvCrash); path != "" {
		signal.Ignore(syscall.SIGXFSZ)
		st, _ := NewPlaintextFile(path, nil)
		c := New(st, nil)
		if err := c.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(path)
		lim := &syscall.Rlimit{Cur: uint64(fi.Size() / 2), Max: uint64(fi.Size() / 2)}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, lim); err != nil {
			t.Fatal(err)
		}
		err := c.Write(context.Background(), Update{AccessToken: testAT("never", "Never", time.Hour)})
		if !errors.Is(err, syscall.EFBIG) {
			t.Fatalf("Write past the file-size limit = %v, want EFBIG", err)
		}
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), "c.json")
	st, _ := NewPlaintextFile(path, nil)
	before := thousandAccounts(t)
	if err := st.Write(context.Background(), before); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteCutShortKeepsOldFile$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnvCrash+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatalf("the cache file changed after a write cut short (%d bytes, was %d)", len(after), len(before))
	}
	if left, _ := filepath.Glob(path + ".tmp-*"); len(left) != 0 {
		t.Errorf("the failed write left %v", left)
	}
}

// TestDeadWritersTempFilesRemoved: a writer killed between creating its
// temp file and renaming it leaves the temp file; the next Write (under
// the lock, so no live writer owns one) removes it.
func TestDeadWritersTempFilesRemoved(t *testing.T) {
	st, path := newFile(t, nil)
	os.MkdirAll(filepath.Dir(path), 0o700)
	dead := path + ".tmp-123456"
	os.WriteFile(dead, []byte(`{"AccessTok`), 0o600)
	other := filepath.Join(filepath.Dir(path), "unrelated.tmp-1")
	os.WriteFile(other, nil, 0o600)
	mustWrite(t, New(st, nil), Update{AccessToken: testAT("a", "A", time.Hour)})
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("dead writer's temp file still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("an unrelated file was removed: %v", err)
	}
}
