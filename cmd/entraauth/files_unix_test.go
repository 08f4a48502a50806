//go:build unix

package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// --trace-file over an existing file readable by others: the trace is a
// new 0600 file renamed over it, never the old file written in place (a
// hard link to the old file keeps the old bytes; the path gets mode 0600).
func TestTraceFileReplacesExistingFileOwnerOnly(t *testing.T) {
	sio, _, errb := testIO(t, nil)
	dir := t.TempDir()
	har, link := filepath.Join(dir, "out.har"), filepath.Join(dir, "old-link")
	if err := os.WriteFile(har, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(har, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(har, link); err != nil {
		t.Fatal(err)
	}
	if code := run(t.Context(), []string{"login", "--fake", "--flow", "device", "--trace-file", har}, sio); code != exitOK {
		t.Fatalf("login --trace-file = exit %d: %s", code, errb)
	}
	fi, err := os.Lstat(har)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("trace file mode %#o, want 0600", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(har); !strings.Contains(string(b), `"version": "1.2"`) {
		t.Errorf("trace file holds %q", b)
	}
	if b, _ := os.ReadFile(link); string(b) != "old\n" {
		t.Errorf("the old file was written in place: it now holds %d bytes", len(b))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".out.har.*")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
}

// The files the tool reads back (the last login, the fake's state) are
// read with a bound: a planted 256 MiB file costs well under its size in
// memory, and a FIFO planted in their place does not block the command.
func TestReadBackFilesBounded(t *testing.T) {
	readers := map[string]func(path string) error{
		"login record": func(path string) error {
			if err := os.Rename(path, filepath.Join(filepath.Dir(path), loginFile)); err != nil {
				return err
			}
			_, _, err := loadLogin(filepath.Dir(path))
			return err
		},
		"fake state": func(path string) error { _, _, err := readFakeState(path); return err },
	}
	for name, read := range readers {
		t.Run(name+"/large", func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "f")
			// A sparse file: no disk or memory spent making it.
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, 256<<20); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_ = read(p)
			runtime.ReadMemStats(&after)
			if got := after.TotalAlloc - before.TotalAlloc; got > 160<<20 {
				t.Errorf("reading a 256 MiB file allocated %d MiB", got>>20)
			}
		})
		t.Run(name+"/fifo", func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "f")
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { _ = read(p); close(done) }()
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				// Unblock the reader so the test can end.
				if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
				t.Error("reading a FIFO planted in the file's place blocked")
			}
		})
	}
}
