package main

import (
	"strings"
	"testing"
)

func TestParseBench(t *testing.T) {
	in := `goos: linux
BenchmarkWarmSilent/lib=entraauth-2   	 5000000	       250.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkWarmSilent/lib=msalgo-2      	  100000	     10000 ns/op	    2984 B/op	      21 allocs/op
BenchmarkWarmSilent/lib=entraauth-2   	 5000000	       350.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkWarmSilent/lib=entraauth-2   	 5000000	       200.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkColdFirstToken/rtt=20ms/lib=entraauth-2 	5	49290018 ns/op	3.000 req/op	143044 B/op	1198 allocs/op
not a benchmark line
BenchmarkBroken-2 abc 1 ns/op
PASS`
	var r results
	if err := parseBench(strings.NewReader(in), &r); err != nil {
		t.Fatal(err)
	}
	s, ok := r.get("WarmSilent/lib=entraauth", "ns/op")
	if !ok || s != (stats{med: 250, min: 200, max: 350}) {
		t.Fatalf("entraauth stats = %+v, %v", s, ok)
	}
	if x, ok := ratio(&r, "WarmSilent", "msalgo"); !ok || x != 40 {
		t.Fatalf("ratio = %v, %v; want 40", x, ok)
	}
	if q, ok := r.get("ColdFirstToken/rtt=20ms/lib=entraauth", "req/op"); !ok || q.med != 3 {
		t.Fatalf("req/op = %+v, %v", q, ok)
	}
	if v, ok := param("ColdFirstToken/rtt=20ms/lib=entraauth", "rtt"); !ok || v != 20 {
		t.Fatalf("param rtt = %v, %v", v, ok)
	}
	if _, ok := r.by["Broken"]; ok {
		t.Fatal("a line with a non-numeric count was parsed")
	}
	if g, l := split("WarmScale/tokens=10/lib=msalgo"); g != "WarmScale/tokens=10" || l != "msalgo" {
		t.Fatalf("split = %q, %q", g, l)
	}
}

func TestSampleMedianEven(t *testing.T) {
	if s := (sample{4, 1, 3, 2}).stats(); s != (stats{med: 2.5, min: 1, max: 4}) {
		t.Fatalf("stats = %+v", s)
	}
}

func FuzzParseBench(f *testing.F) {
	f.Add("BenchmarkX/lib=a-2 1 2 ns/op 3 B/op")
	f.Add("Benchmark- 0 x")
	f.Fuzz(func(t *testing.T, s string) {
		var r results
		if err := parseBench(strings.NewReader(s), &r); err != nil {
			return
		}
		for _, name := range r.order {
			if _, ok := r.by[name]; !ok {
				t.Fatalf("%q in order but not in results", name)
			}
		}
	})
}
