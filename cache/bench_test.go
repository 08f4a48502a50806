package cache

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// filled returns a memory cache holding n access tokens for n accounts,
// and the lookup keys of up to want of them, spread through the cache.
func filled(tb testing.TB, n, want int) (*Cache, []AccessTokenKey) {
	tb.Helper()
	c := New(nil, nil)
	exp := time.Now().Add(time.Hour)
	for i := range n {
		c.s.addAT(&AccessToken{
			HomeAccountID: fmt.Sprintf("%08d-uid.utid", i), Environment: testEnv, Realm: testRealm, ClientID: testClient,
			Secret: "secret", Target: "https://management.azure.com/user_impersonation", ExpiresOn: exp,
			key: fmt.Sprint(i),
		}, true)
	}
	c.publish()
	var keys []AccessTokenKey
	for i := 0; i < n && len(keys) < want; i += max(1, n/want) {
		keys = append(keys, NewAccessTokenKey(fmt.Sprintf("%08d-uid.utid", i), testEnv, testRealm, testClient,
			[]string{"https://management.azure.com/user_impersonation"}, "", false))
	}
	return c, keys
}

func benchLookup(b *testing.B, n, working int, clock bool) {
	c, keys := filled(b, n, working)
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var ok bool
		if clock {
			_, ok = c.AccessToken(keys[i%len(keys)])
		} else {
			_, ok = c.AccessTokenAt(keys[i%len(keys)], now)
		}
		if !ok {
			b.Fatal("miss")
		}
		i++
	}
}

// BenchmarkLookupAt is BenchmarkLookup without reading the clock: the
// index alone (read lock, one map access, copy of the entry).
func BenchmarkLookupAt(b *testing.B) {
	for _, n := range []int{1, 100, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchLookup(b, n, 16, false) })
	}
}

// BenchmarkLookup measures a warm hit of Cache.AccessToken as the cache
// grows: the keys cycle over a working set of up to 16 tokens (an
// application's accounts and resources) spread through the cache.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{1, 100, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchLookup(b, n, 16, true) })
	}
}

// BenchmarkLookupSpread cycles over 1,024 tokens spread through the
// cache, so large caches miss the CPU caches: it shows memory effects
// (not the algorithm, which is one map access at every size).
func BenchmarkLookupSpread(b *testing.B) {
	for _, n := range []int{1024, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchLookup(b, n, 1024, false) })
	}
}

// thousandAccounts is a document with 1,000 accounts, each with an access,
// refresh and ID token and an account entry.
func thousandAccounts(tb testing.TB) []byte {
	jwt := "eyJ0eXAiOiJKV1QifQ." + strings.Repeat("x", 1200) + ".sig"
	return accountsDoc(tb, 1000, func(string) (string, string) { return jwt, strings.Repeat("r", 900) })
}

// accountsDoc is a document with n accounts, each with an access, refresh
// and ID token and an account entry; secrets gives an account's JWT (the
// access and ID token) and refresh token.
func accountsDoc(tb testing.TB, n int, secrets func(home string) (jwt, rt string)) []byte {
	tb.Helper()
	c := New(nil, nil)
	exp := time.Now().Add(time.Hour)
	for i := range n {
		home := fmt.Sprintf("%08d-uid.utid", i)
		jwt, rt := secrets(home)
		u := Update{
			AccessToken:  &AccessToken{HomeAccountID: home, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: jwt, Target: "https://management.azure.com/user_impersonation", ExpiresOn: exp},
			RefreshToken: &RefreshToken{HomeAccountID: home, Environment: testEnv, ClientID: testClient, Secret: rt, FamilyID: "1"},
			IDToken:      &IDToken{HomeAccountID: home, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: jwt},
			Account:      &Account{HomeAccountID: home, Environment: testEnv, Realm: testRealm, Username: home + "@example.com", LocalAccountID: home},
		}
		if err := c.Write(context.Background(), u); err != nil {
			tb.Fatal(err)
		}
	}
	data, err := c.MarshalJSON()
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// BenchmarkLoadSave1000Accounts parses and re-serializes a 1,000-account
// document (about 3.5 MB) in memory.
func BenchmarkLoadSave1000Accounts(b *testing.B) {
	data := thousandAccounts(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c := New(nil, nil)
		if err := c.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
		if _, err := c.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

// thousandAccountFile returns a plaintext store holding
// the 1,000-account document.
func thousandAccountFile(b *testing.B) *FileStorage {
	b.Helper()
	path := filepath.Join(b.TempDir(), "cache.json")
	st, err := NewPlaintextFile(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Write(context.Background(), thousandAccounts(b)); err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkFileWrite1000Accounts measures one Write of a warm process
// against a plaintext file holding 1,000 accounts that no other process
// changed: lock, version check (no reload), apply, serialize, write a temp
// file, fsync, rename, unlock.
func BenchmarkFileWrite1000Accounts(b *testing.B) {
	st := thousandAccountFile(b)
	ctx := context.Background()
	c := New(st, nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Write(ctx, Update{AccessToken: testAT("x", "User.Read", time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileLoadSave1000Accounts is a cold process's first change to a
// 1,000-account file: Sync (lock, read, parse, index) then Write
// (lock, apply, serialize, atomic replace).
func BenchmarkFileLoadSave1000Accounts(b *testing.B) {
	st := thousandAccountFile(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c := New(st, nil)
		if err := c.Sync(ctx); err != nil {
			b.Fatal(err)
		}
		if err := c.Write(ctx, Update{AccessToken: testAT("x", "User.Read", time.Hour)}); err != nil {
			b.Fatal(err)
		}
		if c.Len().Accounts != 1000 {
			b.Fatal("accounts lost")
		}
	}
}
