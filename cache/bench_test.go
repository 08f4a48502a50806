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
// and the lookup keys of up to 1,024 of them.
func filled(tb testing.TB, n int) (*Cache, []AccessTokenKey) {
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
	var keys []AccessTokenKey
	for i := 0; i < n && len(keys) < 1024; i += max(1, n/1024) {
		keys = append(keys, NewAccessTokenKey(fmt.Sprintf("%08d-uid.utid", i), testEnv, testRealm, testClient,
			[]string{"https://management.azure.com/user_impersonation"}, "", false))
	}
	return c, keys
}

// BenchmarkLookup measures a warm hit of Cache.AccessToken as the cache
// grows; the keys cycle over up to 1,024 entries spread through the cache.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{1, 100, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c, keys := filled(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := c.AccessToken(keys[i&1023%len(keys)]); !ok {
					b.Fatal("miss")
				}
				i++
			}
		})
	}
}

// thousandAccounts is a document with 1,000 accounts, each with an access,
// refresh and ID token and an account entry.
func thousandAccounts(tb testing.TB) []byte {
	tb.Helper()
	c := New(nil, nil)
	exp := time.Now().Add(time.Hour)
	jwt := "eyJ0eXAiOiJKV1QifQ." + strings.Repeat("x", 1200) + ".sig"
	for i := range 1000 {
		home := fmt.Sprintf("%08d-uid.utid", i)
		u := Update{
			AccessToken:  &AccessToken{HomeAccountID: home, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: jwt, Target: "https://management.azure.com/user_impersonation", ExpiresOn: exp},
			RefreshToken: &RefreshToken{HomeAccountID: home, Environment: testEnv, ClientID: testClient, Secret: strings.Repeat("r", 900), FamilyID: "1"},
			IDToken:      &IDToken{HomeAccountID: home, Environment: testEnv, Realm: testRealm, ClientID: testClient, Secret: jwt},
			Account:      &Account{HomeAccountID: home, Environment: testEnv, Realm: testRealm, Username: home + "@example.com", LocalAccountID: home},
		}
		u = u.copy()
		c.s.addAT(u.AccessToken, true)
		c.s.addRT(u.RefreshToken, true)
		c.s.addID(u.IDToken, true)
		c.s.addAccount(u.Account, true)
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

// BenchmarkFileWrite1000Accounts measures one Write against a plaintext
// file holding 1,000 accounts: lock, read, parse, apply, serialize, write
// a temp file, fsync, rename, unlock.
func BenchmarkFileWrite1000Accounts(b *testing.B) {
	path := filepath.Join(b.TempDir(), "cache.json")
	st, err := NewPlaintextFile(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := st.Write(ctx, thousandAccounts(b)); err != nil {
		b.Fatal(err)
	}
	c := New(st, nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Write(ctx, Update{AccessToken: testAT("x", "User.Read", time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
}
