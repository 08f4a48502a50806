package cache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestConcurrentCachesOneFile: 16 goroutines, each with its own Cache on
// one file (flock conflicts between open files even in one process, so
// this contends like processes do, and exercises the lock file's
// delete-and-retry path), 10 writes each; nothing is lost.
func TestConcurrentCachesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			st, _ := NewPlaintextFile(path, &FileOptions{LockTimeout: time.Minute})
			c := New(st, nil)
			for w := range 10 {
				if err := c.Write(context.Background(), Update{AccessToken: testAT("s", fmt.Sprintf("g%d.w%d", g, w), time.Hour)}); err != nil {
					t.Errorf("goroutine %d write %d: %v", g, w, err)
				}
			}
		})
	}
	wg.Wait()
	st, _ := NewPlaintextFile(path, nil)
	c := New(st, nil)
	if err := c.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := c.Len().AccessTokens; n != 160 {
		t.Errorf("%d tokens in the file, want 160", n)
	}
	if _, err := os.Stat(path + ".lockfile"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}

// TestConcurrentLookupsAndWrites is for the race detector: one Cache,
// readers and writers at once.
func TestConcurrentLookupsAndWrites(t *testing.T) {
	c := New(nil, nil)
	k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false)
	mustWrite(t, c, Update{AccessToken: testAT("first", "User.Read", time.Hour)})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 500 {
				if _, ok := c.AccessToken(k); !ok {
					t.Error("lookup missed a token that is always present")
					return
				}
				c.Accounts("", "")
			}
		})
	}
	for i := range 2 {
		wg.Go(func() {
			for j := range 100 {
				mustWrite(t, c, Update{AccessToken: testAT(fmt.Sprint(i, j), "User.Read", time.Hour)})
				c.MarshalJSON()
			}
		})
	}
	wg.Wait()
}

func TestMergePersistsAndKeeps(t *testing.T) {
	st, _ := newFile(t, nil)
	ctx := context.Background()
	c := New(st, nil)
	mustWrite(t, c, Update{AccessToken: testAT("mine", "Mine", time.Hour)})
	data, err := os.ReadFile(filepath.Join("testdata", "msal_go.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Merge(ctx, data); err != nil {
		t.Fatal(err)
	}
	fresh := New(st, nil)
	if err := fresh.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fresh.Len(); got != (Counts{2, 1, 1, 1, 1}) {
		t.Errorf("after Merge the file holds %+v, want both documents' entries", got)
	}
	if err := c.Merge(ctx, []byte("{bad")); !errorsIs(err, ErrCorrupt) {
		t.Errorf("Merge of garbage = %v, want ErrCorrupt", err)
	}
}
