package main

import (
	"path/filepath"
	"slices"
	"strings"
)

// collect gathers, per library, (param, y) points of one benchmark group.
func collect(r *results, prefix, key string, y func(name string) (float64, bool)) []series {
	by := map[string]*series{}
	for _, name := range r.order {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		_, lib := split(name)
		x, ok := param(name, key)
		v, ok2 := y(name)
		if !ok || !ok2 || lib == "" {
			continue
		}
		s := by[lib]
		if s == nil {
			s = &series{name: lib}
			by[lib] = s
		}
		s.x, s.y = append(s.x, x), append(s.y, v)
	}
	var out []series
	for _, l := range libOrder {
		if s, ok := by[l]; ok {
			out = append(out, *s)
		}
	}
	return out
}

func median(r *results, unit string, f func(float64) float64) func(string) (float64, bool) {
	return func(name string) (float64, bool) {
		s, ok := r.get(name, unit)
		return f(s.med), ok
	}
}

func writePlots(b *strings.Builder, r *results, in inputs) error {
	ident := func(v float64) float64 { return v }
	ps := []struct {
		file, alt string
		p         plot
	}{
		{"warm-scale.svg", "warm silent against cached tokens", plot{
			title: "Warm silent GetToken against tokens cached for the account", xLabel: "access tokens cached (log)",
			yLabel: "ns per call (log)", logX: true, logY: true,
			series: collect(r, "WarmScale/", "tokens", median(r, "ns/op", ident))}},
		{"parallel.svg", "throughput against goroutines", plot{
			title: "Warm silent throughput against concurrent callers", xLabel: "goroutines (log)",
			yLabel: "calls per second (log)", logX: true, logY: true,
			series: collect(r, "WarmGoroutines/", "g", median(r, "ns/op", func(v float64) float64 { return 1e9 / v }))}},
		{"cold-rtt.svg", "cold first token against round-trip time", plot{
			title: "First token of a new client against network round-trip time", xLabel: "round-trip time (ms)",
			yLabel: "ms to the first token", series: collect(r, "ColdFirstToken/", "rtt", median(r, "ns/op", func(v float64) float64 { return v / 1e6 }))}},
	}
	b.WriteString("## Plots\n\n")
	for _, p := range ps {
		if len(p.p.series) == 0 {
			continue
		}
		for i := range p.p.series {
			s := &p.p.series[i]
			idx := make([]int, len(s.x))
			for j := range idx {
				idx[j] = j
			}
			slices.SortFunc(idx, func(a, c int) int {
				switch {
				case s.x[a] < s.x[c]:
					return -1
				case s.x[a] > s.x[c]:
					return 1
				}
				return 0
			})
			x, y := make([]float64, len(idx)), make([]float64, len(idx))
			for j, k := range idx {
				x[j], y[j] = s.x[k], s.y[k]
			}
			s.x, s.y = x, y
		}
		if err := p.p.write(filepath.Join(in.plots, p.file)); err != nil {
			return err
		}
		b.WriteString(plotLink(in, p.file, p.alt))
	}
	return nil
}
