package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entraauth/entraauth/conformance/fakeauthority"
)

// TestCorruptFakeState: a state file the fake cannot restore makes every
// --fake command fail with exit 1 and a message naming the file and how to
// start afresh; nothing panics and the file is left as it was.
func TestCorruptFakeState(t *testing.T) {
	good, err := fakeauthority.New(nil).MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	states := []struct{ name, content string }{
		{"truncated", string(good[:len(good)/2])},
		{"empty", ""},
		{"not JSON", "\x00\x01garbage"},
		{"wrong type", `{"version":"1","keys":{}}`},
		{"other version", strings.Replace(string(good), `"version": 1`, `"version": 7`, 1)},
	}
	commands := [][]string{
		{"login", "--fake", "--flow", "device"},
		{"token", "--fake"},
		{"accounts", "--fake"},
		{"logout", "--fake"},
		{"fake-authority"},
	}
	for _, st := range states {
		for _, args := range commands {
			t.Run(st.name+"/"+args[0], func(t *testing.T) {
				sio, out, errb := testIO(t, nil)
				base, _ := sio.userCacheDir()
				dir := filepath.Join(base, "entraauth", "fake")
				path := filepath.Join(dir, fakeStateFile)
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(st.content), 0o600); err != nil {
					t.Fatal(err)
				}
				if code := run(t.Context(), args, sio); code != exitFailed {
					t.Errorf("%v = exit %d, want %d; stderr:\n%s", args, code, exitFailed, errb)
				}
				msg := errb.String()
				if !strings.Contains(msg, path) || !strings.Contains(msg, "delete it to start afresh") || strings.Contains(msg, "panic") {
					t.Errorf("stderr = %q, want the file's path and how to start afresh", msg)
				}
				if out.Len() != 0 {
					t.Errorf("stdout = %q, want nothing", out)
				}
				if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, []byte(st.content)) {
					t.Errorf("state file changed (err %v): %.60q", err, b)
				}
			})
		}
	}
}
