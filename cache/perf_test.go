package cache

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// heapAfterLoad returns the live heap a parsed document holds, in bytes:
// the heap after a collection with the cache alive, less the heap before.
func heapAfterLoad(tb testing.TB, data []byte) (*Cache, uint64) {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := New(nil, nil)
	if err := c.UnmarshalJSON(data); err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(c)
	if after.HeapAlloc < before.HeapAlloc {
		return c, 0
	}
	return c, after.HeapAlloc - before.HeapAlloc
}

// A loaded cache costs at most 4 times its document's size in heap (a
// 3.5 MB, 1,000-account document held some 18 times its size before).
func TestLoadHeapBound(t *testing.T) {
	for name, data := range map[string][]byte{"1000accounts": thousandAccounts(t), "small": smallEntries(t, 4000)} {
		c, heap := heapAfterLoad(t, data)
		if c.Len().Accounts == 0 {
			t.Fatalf("%s: loaded %+v", name, c.Len())
		}
		if ratio := float64(heap) / float64(len(data)); ratio > 4 {
			t.Errorf("%s: a %d-byte document holds %d bytes of heap after load: %.1fx, want <= 4x", name, len(data), heap, ratio)
		}
	}
}

// smallEntries is a document of n accounts whose tokens are short (a
// test authority's, or opaque tokens): per-entry overhead dominates.
func smallEntries(tb testing.TB, n int) []byte {
	return accountsDoc(tb, n, func(home string) (string, string) { return "at" + home, "rt" + home })
}

// BenchmarkLoadHeap reports the heap a loaded 1,000-account document
// holds, as a multiple of its size (heap-x).
func BenchmarkLoadHeap(b *testing.B) {
	for name, data := range map[string][]byte{"1000accounts": thousandAccounts(b), "small": smallEntries(b, 4000)} {
		b.Run(name, func(b *testing.B) {
			var ratio float64
			for b.Loop() {
				_, heap := heapAfterLoad(b, data)
				ratio = float64(heap) / float64(len(data))
			}
			b.ReportMetric(ratio, "heap-x")
			b.ReportMetric(float64(len(data)), "doc-bytes")
		})
	}
}

// oneAccount returns a memory cache holding n access tokens of one
// account and client, each for its own resource, the worst case for a
// lookup that falls back from the exact key.
func oneAccount(n int) *Cache {
	c := New(nil, nil)
	exp := time.Now().Add(time.Hour)
	for i := range n {
		c.s.addAT(&AccessToken{
			HomeAccountID: "uid.utid", Environment: testEnv, Realm: testRealm, ClientID: testClient,
			Secret: "secret", Target: fmt.Sprintf("https://res%d.example/user_impersonation", i), ExpiresOn: exp,
			key: fmt.Sprint(i),
		}, true)
	}
	c.publish()
	return c
}

// BenchmarkMiss is a lookup that finds nothing (a resource not cached)
// and one that finds a token by a subset request (".default" of a cached
// resource), as the account's tokens grow: both should cost the same at
// 1,000 tokens as at 1.
func BenchmarkMiss(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		c := oneAccount(n)
		now := time.Now()
		miss := NewAccessTokenKey("uid.utid", testEnv, testRealm, testClient, []string{"https://other.example/.default"}, "", false)
		sub := NewAccessTokenKey("uid.utid", testEnv, testRealm, testClient, []string{fmt.Sprintf("https://res%d.example/.default", n/2)}, "", false)
		b.Run(fmt.Sprintf("miss/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := c.AccessTokenAt(miss, now); ok {
					b.Fatal("hit")
				}
			}
		})
		b.Run(fmt.Sprintf("default/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := c.AccessTokenAt(sub, now); !ok {
					b.Fatal("miss")
				}
			}
		})
	}
}

// BenchmarkLookupParallel is BenchmarkLookupAt with GOMAXPROCS callers:
// a read-only hit path scales with the cores.
func BenchmarkLookupParallel(b *testing.B) {
	c, keys := filled(b, 100, 16)
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok := c.AccessTokenAt(keys[i%len(keys)], now); !ok {
				b.Error("miss")
				return
			}
			i++
		}
	})
}

// BenchmarkLoad reports what parsing a document allocates in all (B/op,
// and alloc-x: as a multiple of the document's size), the transient
// peak a loading process pays on top of what it keeps.
func BenchmarkLoad(b *testing.B) {
	for name, data := range map[string][]byte{"1000accounts": thousandAccounts(b), "small": smallEntries(b, 4000)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			n := 0
			for b.Loop() {
				c := New(nil, nil)
				if err := c.UnmarshalJSON(data); err != nil {
					b.Fatal(err)
				}
				n++
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(n)/float64(len(data)), "alloc-x")
		})
	}
}

// A lookup that misses the exact key reads only the tokens that could
// answer it, through the partition's index: none for a resource not
// cached, one for the ".default" of a cached resource, at 1,000 tokens.
func TestMissReadsNoOtherTokens(t *testing.T) {
	c := oneAccount(1000)
	k := NewAccessTokenKey("uid.utid", testEnv, testRealm, testClient, nil, "", false)
	p := c.view.Load().parts[k.bucket()]
	for want, n := range map[string]int{
		"https://other.example/.default":           0,
		"https://res500.example/.default":          1,
		"https://res7.example/user_impersonation":  1,
		"https://other.example/user_impersonation": 0,
	} {
		if got := len(p.candidates(want)); got != n {
			t.Errorf("candidates(%s) = %d tokens, want %d", want, got, n)
		}
	}
	if _, ok := c.AccessToken(NewAccessTokenKey("uid.utid", testEnv, testRealm, testClient, []string{"https://res500.example/.default"}, "", false)); !ok {
		t.Error(".default of a cached resource: miss")
	}
}
