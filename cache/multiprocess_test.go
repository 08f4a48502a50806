package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	childEnvPath = "ENTRAAUTH_CACHE_TEST_CHILD_PATH"
	childEnvID   = "ENTRAAUTH_CACHE_TEST_CHILD_ID"
	procs        = 8
	writesEach   = 50
)

// TestMultiProcessWrites re-executes the test binary 8 times; each child
// writes 50 access tokens through its own Cache to one plaintext file.
// Afterwards every one of the 400 tokens must be in the file, and the file
// must parse: no process lost another's writes.
func TestMultiProcessWrites(t *testing.T) {
	if path := os.Getenv(childEnvPath); path != "" {
		childWrites(t, path, os.Getenv(childEnvID))
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "shared.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*strings.Builder, procs)
	for i := range cmds {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMultiProcessWrites$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnvPath+"="+path, childEnvID+"="+strconv.Itoa(i))
		out := new(strings.Builder)
		cmd.Stdout, cmd.Stderr = out, out
		outs[i] = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child %d: %v\n%s", i, err, outs[i])
		}
	}
	st, err := NewPlaintextFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := New(st, nil)
	if err := c.Sync(context.Background()); err != nil {
		t.Fatalf("final file does not load: %v", err)
	}
	missing := 0
	for p := range procs {
		for w := range writesEach {
			k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{fmt.Sprintf("p%d.w%d", p, w)}, "", false)
			if at, ok := c.AccessToken(k); !ok || at.Secret != fmt.Sprintf("secret-%d-%d", p, w) {
				missing++
			}
		}
	}
	if missing != 0 || c.Len().AccessTokens != procs*writesEach {
		t.Errorf("%d of %d tokens missing; file holds %d", missing, procs*writesEach, c.Len().AccessTokens)
	}
}

func childWrites(t *testing.T, path, id string) {
	st, err := NewPlaintextFile(path, &FileOptions{LockTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	c := New(st, nil)
	for w := range writesEach {
		at := testAT(fmt.Sprintf("secret-%s-%d", id, w), fmt.Sprintf("p%s.w%d", id, w), time.Hour)
		if err := c.Write(context.Background(), Update{AccessToken: at}); err != nil {
			t.Fatalf("child %s write %d: %v", id, w, err)
		}
	}
}

const childEnvHold = "ENTRAAUTH_CACHE_TEST_HOLD_LOCK"

// TestLockHolderKilled: a process holding the lock is killed with SIGKILL
// while holding it; its lock file stays behind, and the next Lock takes
// it over at once instead of waiting for the timeout.
func TestLockHolderKilled(t *testing.T) {
	if path := os.Getenv(childEnvHold); path != "" {
		st, _ := NewPlaintextFile(path, nil)
		if _, err := st.Lock(context.Background()); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Minute) // killed long before
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), "c.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderKilled$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnvHold+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 7)
	if _, err := io.ReadFull(out, line); err != nil || string(line) != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("child did not lock: %q %v", line, err)
	}
	st, _ := NewPlaintextFile(path, &FileOptions{LockTimeout: 200 * time.Millisecond})
	if _, err := st.Lock(context.Background()); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Lock while the child holds it = %v, want ErrLockTimeout", err)
	}
	cmd.Process.Kill() // SIGKILL: no cleanup runs
	cmd.Wait()
	if _, err := os.Stat(path + ".lockfile"); err != nil {
		t.Fatalf("the killed holder's lock file is gone (%v); the test proves nothing", err)
	}
	release, err := st.Lock(context.Background())
	if err != nil {
		t.Fatalf("Lock after the holder died = %v", err)
	}
	release()
}
