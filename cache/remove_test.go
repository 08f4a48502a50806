package cache

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// memStorage is a Storage in memory whose writes can be made to fail.
type memStorage struct {
	data     []byte
	writeErr error
	writes   int
}

func (m *memStorage) Lock(context.Context) (func() error, error) {
	return func() error { return nil }, nil
}
func (m *memStorage) Read(context.Context) ([]byte, error) { return m.data, nil }
func (m *memStorage) Write(_ context.Context, d []byte) error {
	m.writes++
	if m.writeErr != nil {
		return m.writeErr
	}
	m.data = append([]byte(nil), d...)
	return nil
}

// refusedDoc is a cache document where the first account's refresh token
// "dead" (the one the authority refuses) is stored twice: the family entry
// written by testClient, and a copy under the legacy per-client key
// another family client wrote. The account has another client's token
// "alive"; another account holds a token with the same secret.
func refusedDoc(t *testing.T) []byte {
	t.Helper()
	rt := func(home, client, secret, family string) map[string]string {
		return map[string]string{"credential_type": "RefreshToken", "home_account_id": home, "environment": testEnv,
			"client_id": client, "secret": secret, "family_id": family}
	}
	doc := map[string]any{"RefreshToken": map[string]any{
		testHome + "-" + testEnv + "-refreshtoken-1":            rt(testHome, testClient, "dead", "1"),
		testHome + "-" + testEnv + "-refreshtoken-sibling--":    rt(testHome, "sibling", "dead", "1"),
		testHome + "-" + testEnv + "-refreshtoken-third":        rt(testHome, "third", "alive", ""),
		"uid2.utid1-" + testEnv + "-refreshtoken-" + testClient: rt("uid2.utid1", testClient, "dead", ""),
	}}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// refused fills c with refusedDoc and the first account's other entries.
func refused(t *testing.T, c *Cache) {
	t.Helper()
	if err := c.UnmarshalJSON(refusedDoc(t)); err != nil {
		t.Fatal(err)
	}
	if n := c.Len().RefreshTokens; n != 4 {
		t.Fatalf("fixture holds %d refresh tokens, want 4", n)
	}
	addEntries(t, c)
}

func addEntries(t *testing.T, c *Cache) {
	t.Helper()
	mustWrite(t, c, Update{
		AccessToken: testAT("at", "User.Read", time.Hour),
		IDToken:     &IDToken{HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: "id"},
		Account:     &Account{HomeAccountID: testHome, Environment: testEnv, Realm: testRealm, Username: "u@example.com"},
		AppMetadata: &AppMetadata{ClientID: testClient, Environment: testEnv, FamilyID: "1"},
	})
}

// checkRemoved asserts that the first account's "dead" token is gone and
// every other entry survived.
func checkRemoved(t *testing.T, c *Cache) {
	t.Helper()
	for _, k := range []RefreshTokenKey{
		NewRefreshTokenKey(testHome, testEnv, testClient, ""),
		NewRefreshTokenKey(testHome, testEnv, "sibling", ""),
		NewRefreshTokenKey(testHome, testEnv, "", "1"),
	} {
		if rt, ok := c.RefreshToken(k); ok {
			t.Errorf("RefreshToken(%+v) = %q after its removal", k, rt.Secret)
		}
	}
	if rt, ok := c.RefreshToken(NewRefreshTokenKey(testHome, testEnv, "third", "")); !ok || rt.Secret != "alive" {
		t.Errorf("another client's refresh token of the account: %q, %v", rt.Secret, ok)
	}
	if rt, ok := c.RefreshToken(NewRefreshTokenKey("uid2.utid1", testEnv, testClient, "")); !ok || rt.Secret != "dead" {
		t.Errorf("another account's refresh token: %q, %v (same secret, other account: must stay)", rt.Secret, ok)
	}
	if got, want := c.Len(), (Counts{AccessTokens: 1, RefreshTokens: 2, IDTokens: 1, Accounts: 1, AppMetadata: 1}); got != want {
		t.Errorf("Len = %+v, want %+v", got, want)
	}
	k := NewAccessTokenKey(testHome, testEnv, testRealm, testClient, []string{"User.Read"}, "", false)
	if at, ok := c.AccessToken(k); !ok || at.Secret != "at" {
		t.Errorf("the account's access token did not survive: %q, %v", at.Secret, ok)
	}
	if accts := c.Accounts(testEnv, testClient); len(accts) != 1 || accts[0].Username != "u@example.com" {
		t.Errorf("Accounts = %+v, want the account (it still has an ID token)", accts)
	}
}

func TestRemoveRefreshToken(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		key    RefreshTokenKey
		secret string
	}{
		{"by secret, client key", NewRefreshTokenKey(testHome, testEnv, testClient, ""), "dead"},
		{"by secret, family key", NewRefreshTokenKey(testHome, testEnv, testClient, "1"), "dead"},
		{"what the key finds", NewRefreshTokenKey("UID1.UTID1", "login.windows.net", testClient, ""), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(nil, nil)
			refused(t, c)
			if err := c.RemoveRefreshToken(ctx, tc.key, tc.secret); err != nil {
				t.Fatal(err)
			}
			checkRemoved(t, c)
			if err := c.RemoveRefreshToken(ctx, tc.key, tc.secret); err != nil {
				t.Errorf("removing it again: %v", err)
			}
		})
	}
	t.Run("other secret kept", func(t *testing.T) {
		c := New(nil, nil)
		refused(t, c)
		k := NewRefreshTokenKey(testHome, testEnv, testClient, "")
		if err := c.RemoveRefreshToken(ctx, k, "not-this-one"); err != nil {
			t.Fatal(err)
		}
		if rt, ok := c.RefreshToken(k); !ok || rt.Secret != "dead" {
			t.Errorf("a token with another secret was removed: %q, %v", rt.Secret, ok)
		}
	})
}

// The removal is persisted: a second cache (another process) on the same
// file no longer finds the token, and the file no longer holds it.
func TestRemoveRefreshTokenPersists(t *testing.T) {
	ctx := context.Background()
	st, path := newFile(t, nil)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, refusedDoc(t), 0o600); err != nil {
		t.Fatal(err)
	}
	a := New(st, nil)
	addEntries(t, a) // loads the document under the lock, adds, persists
	b := New(st, nil)
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveRefreshToken(ctx, NewRefreshTokenKey(testHome, testEnv, testClient, ""), "dead"); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	checkRemoved(t, b)
	fresh := New(st, nil)
	if err := fresh.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	checkRemoved(t, fresh)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), `"secret": "dead"`) + strings.Count(string(data), `"secret":"dead"`); n != 1 {
		t.Errorf("the file holds the refused secret %d times, want once (the other account's)", n)
	}
}

// A refresh token rotated by another process after this one read the
// file is not removed: the removal reloads under the lock and only drops
// the refused secret.
func TestRemoveRefreshTokenKeepsRotated(t *testing.T) {
	ctx := context.Background()
	st, _ := newFile(t, nil)
	k := NewRefreshTokenKey(testHome, testEnv, testClient, "")
	a, b := New(st, nil), New(st, nil)
	mustWrite(t, a, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "old"}})
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, a, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "new"}})
	if rt, _ := b.RefreshToken(k); rt.Secret != "old" {
		t.Fatalf("b should still hold the old token, has %q", rt.Secret)
	}
	if err := b.RemoveRefreshToken(ctx, k, "old"); err != nil {
		t.Fatal(err)
	}
	if rt, ok := b.RefreshToken(k); !ok || rt.Secret != "new" {
		t.Errorf("after removing the refused token: %q, %v; want the rotated one", rt.Secret, ok)
	}
	c := New(st, nil)
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if rt, ok := c.RefreshToken(k); !ok || rt.Secret != "new" {
		t.Errorf("stored after the removal: %q, %v; want the rotated one", rt.Secret, ok)
	}
}

// A change that cannot be written is kept in memory and reported with an
// error matching ErrNotPersisted and the storage's error; a successful
// change after a corrupt document was moved aside does not match it.
func TestNotPersisted(t *testing.T) {
	ctx := context.Background()
	diskFull := errors.New("disk full")
	st := &memStorage{writeErr: diskFull}
	c := New(st, nil)
	err := c.Write(ctx, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "rt"}})
	if !errors.Is(err, ErrNotPersisted) || !errors.Is(err, diskFull) {
		t.Fatalf("Write with a failing storage: %v; want ErrNotPersisted and the storage's error", err)
	}
	k := NewRefreshTokenKey(testHome, testEnv, testClient, "")
	if _, ok := c.RefreshToken(k); !ok {
		t.Error("the entry was not kept in memory")
	}
	if err := c.RemoveRefreshToken(ctx, k, "rt"); !errors.Is(err, ErrNotPersisted) {
		t.Errorf("RemoveRefreshToken with a failing storage: %v", err)
	}
	if _, ok := c.RefreshToken(k); ok {
		t.Error("the removal was not applied in memory")
	}
	st.writeErr = nil
	if err := c.Write(ctx, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "rt"}}); err != nil {
		t.Errorf("Write once the storage works: %v", err)
	}

	bad := &memStorage{data: []byte("not json")}
	c = New(bad, nil) // memStorage cannot move a document aside: never overwritten
	err = c.Write(ctx, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "rt"}})
	if !errors.Is(err, ErrNotPersisted) || !errors.Is(err, ErrCorrupt) || bad.writes != 0 {
		t.Errorf("Write over an unreadable document: %v (%d writes); want ErrNotPersisted and ErrCorrupt, no write", err, bad.writes)
	}

	fs, path := newFile(t, nil)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = New(fs, nil).Write(ctx, Update{RefreshToken: &RefreshToken{HomeAccountID: testHome, Environment: testEnv, ClientID: testClient, Secret: "rt"}})
	if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotPersisted) {
		t.Errorf("Write after moving a corrupt file aside: %v; want ErrCorrupt without ErrNotPersisted", err)
	}
}
