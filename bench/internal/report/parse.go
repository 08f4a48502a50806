package main

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"
)

// sample is every value one benchmark reported for one unit, one per run.
type sample []float64

// stats are the median, minimum and maximum of a sample.
type stats struct{ med, min, max float64 }

func (s sample) stats() stats {
	if len(s) == 0 {
		return stats{}
	}
	v := slices.Clone(s)
	slices.Sort(v)
	n := len(v)
	med := v[n/2]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return stats{med: med, min: v[0], max: v[n-1]}
}

// results maps a benchmark name without "Benchmark" and the -GOMAXPROCS
// suffix ("WarmSilent/lib=msalgo") to its samples per unit ("ns/op").
type results struct {
	order []string
	by    map[string]map[string]sample
}

// parseBench reads `go test -bench` output; other lines are ignored.
func parseBench(r io.Reader, into *results) error {
	if into.by == nil {
		into.by = map[string]map[string]sample{}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		m, ok := into.by[name]
		if !ok {
			m = map[string]sample{}
			into.by[name] = m
			into.order = append(into.order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			m[f[i+1]] = append(m[f[i+1]], v)
		}
	}
	return sc.Err()
}

// get returns the stats of name's unit and whether it was measured.
func (r *results) get(name, unit string) (stats, bool) {
	s, ok := r.by[name][unit]
	if !ok || len(s) == 0 {
		return stats{}, false
	}
	return s.stats(), true
}

// runs is how many values name has for ns/op.
func (r *results) runs(name string) int { return len(r.by[name]["ns/op"]) }

// split cuts "Group/variant/lib=x" into the group with its variant
// ("Group/variant") and the library; lib is "" when there is none.
func split(name string) (group, lib string) {
	i := strings.LastIndex(name, "/lib=")
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+len("/lib="):]
}

// param returns the number after key= in name ("tokens=100" -> 100).
func param(name, key string) (float64, bool) {
	for _, part := range strings.Split(name, "/") {
		if v, ok := strings.CutPrefix(part, key+"="); ok {
			v = strings.TrimSuffix(v, "ms")
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}
