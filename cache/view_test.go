package cache

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A warm lookup never waits for a writer: while a Sync holds the cache
// waiting for another process's file lock (up to the lock timeout), the
// access tokens already in memory are still served. Lookups read the
// published view and take no lock.
func TestLookupDoesNotWaitForWriter(t *testing.T) {
	st, _ := newFile(t, &FileOptions{LockTimeout: 3 * time.Second})
	ctx := context.Background()
	c := New(st, nil)
	mustWrite(t, c, Update{AccessToken: testAT("warm", "User.Read", time.Hour)})
	other, err := NewPlaintextFile(st.Path(), nil) // another process
	must(t, err)
	release, err := other.Lock(ctx)
	must(t, err)
	data, err := c.MarshalJSON()
	must(t, err)
	must(t, other.Write(ctx, append(data, ' '))) // a change c must reload
	synced := make(chan error, 1)
	go func() { synced <- c.Sync(ctx) }()
	for c.mu.TryLock() { // wait until the Sync holds the cache
		c.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	at, ok := c.AccessToken(NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false))
	select {
	case err := <-synced:
		t.Fatalf("the lookup returned only after the Sync ended (%v)", err)
	default:
	}
	if !ok || at.Secret != "warm" {
		t.Errorf("lookup during a Sync = %q, %v", at.Secret, ok)
	}
	release()
	if err := <-synced; err != nil && !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Sync: %v", err)
	}
}
