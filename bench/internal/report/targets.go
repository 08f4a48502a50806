package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// target is one performance target with what the run measured.
type target struct {
	what, measured string
	met, known     bool
}

func verdict(t target) string {
	switch {
	case !t.known:
		return "not measured"
	case t.met:
		return "met"
	}
	return "**missed**"
}

// writeTargets checks the targets of the performance issue against this
// run. Each is computed from the run's medians; none is hard-coded.
func writeTargets(b *strings.Builder, r, core *results, sizes []size) {
	var ts []target
	warm, ok := r.get("WarmSilent/lib=entraauth", "ns/op")
	allocs, _ := r.get("WarmSilent/lib=entraauth", "allocs/op")
	ts = append(ts, target{what: "warm silent <= 100 ns serial, 0 allocs", known: ok,
		met: ok && warm.med <= 100 && allocs.med == 0, measured: fmt.Sprintf("%s, %.0f allocs", fmtNs(warm.med), allocs.med)})
	x, ok := ratio(r, "WarmSilent", "msalgo")
	ts = append(ts, target{what: "warm silent >= 70x faster than MSAL Go", known: ok, met: ok && x >= 70, measured: fmt.Sprintf("%.1fx", x)})
	par, ok2 := r.get("WarmSilentParallel/lib=entraauth", "ns/op")
	sp := 0.0
	if ok && ok2 && par.med > 0 {
		sp = warm.med / par.med
	}
	ts = append(ts, target{what: "parallel speed-up >= 1.8x on 2 cores (serial / RunParallel ns/op)", known: ok2, met: sp >= 1.8, measured: fmt.Sprintf("%.2fx", sp)})
	ts = append(ts, coldTarget(r, "ColdFirstToken/", []string{"msalgo", "azidentity"}, "cold first token (new client, warm process) no slower than either anchor at any round-trip time"))
	ts = append(ts, coldTarget(r, "NewProcessFirstToken/", []string{"msalgo"}, "first token in a new process no slower than MSAL Go's at 0, 5, 20 and 50 ms round trips"))
	ts = append(ts, newProcRefreshTarget(r))
	ts = append(ts, refreshTargets(r)...)
	ts = append(ts, spreadTarget(core, regexp.MustCompile(`(?i)keys?=(\d+)`), "5", "100", "key-set size 5 -> 100 keys changes the first token by < 2 ms", func(a, b float64) (bool, string) {
		d := (b - a) / 1e6
		return d < 2, fmt.Sprintf("%+.2f ms", d)
	}))
	ts = append(ts, spreadTarget(core, regexp.MustCompile(`^Miss/[a-z]+/(\d+)$`), "1", "1000", "a miss at 1,000 tokens within 1.5x of a miss at 1", func(a, b float64) (bool, string) {
		return b <= 1.5*a, fmt.Sprintf("%.2fx (%s -> %s)", b/a, fmtNs(a), fmtNs(b))
	}))
	ts = append(ts, sizeTarget(sizes))
	b.WriteString("## Targets\n\n| target | this run | verdict |\n|---|---|---|\n")
	for _, t := range ts {
		fmt.Fprintf(b, "| %s | %s | %s |\n", t.what, t.measured, verdict(t))
	}
	b.WriteString("\n")
}

// coldTarget: at every round-trip time, our first token in the group
// named by prefix is no slower than any of the anchors'.
func coldTarget(r *results, prefix string, anchors []string, what string) target {
	t := target{what: what}
	var parts []string
	t.met = true
	for _, name := range r.order {
		g, lib := split(name)
		if !strings.HasPrefix(g, prefix) || lib != "entraauth" {
			continue
		}
		t.known = true
		worst := 0.0
		for _, other := range anchors {
			if x, ok := ratio(r, g, other); ok && (worst == 0 || x < worst) {
				worst = x
			}
		}
		if worst < 1 {
			t.met = false
		}
		parts = append(parts, fmt.Sprintf("%s: %.2fx", strings.TrimPrefix(g, prefix), worst))
	}
	t.measured = "the anchor's time over ours: " + strings.Join(parts, "; ")
	return t
}

// newProcRefreshTarget: a refresh in a new process sends one request
// (the key set is kept beside the cache).
func newProcRefreshTarget(r *results) target {
	t := target{what: "a refresh in a new process makes 1 request"}
	req, ok := r.get("NewProcessRefresh/lib=entraauth", "req/op")
	if !ok {
		return t
	}
	t.known, t.met = true, req.med == 1
	t.measured = fmt.Sprintf("%g requests", req.med)
	if before, ok := r.get("NewProcessRefreshKeysNotKept/lib=entraauth", "req/op"); ok {
		t.measured += fmt.Sprintf(" (%g with the key set not kept)", before.med)
	}
	return t
}

// refreshTargets: a refresh allocates no more than MSAL Go's, and takes
// within 5% of the fake alone plus one ID-token signature check.
func refreshTargets(r *results) []target {
	ours, ok1 := r.get("Refresh/lib=entraauth", "allocs/op")
	msal, ok2 := r.get("Refresh/lib=msalgo", "allocs/op")
	a := target{what: "refresh redemption allocations <= MSAL Go's", known: ok1 && ok2}
	a.met = a.known && ours.med <= msal.med
	a.measured = fmt.Sprintf("%.0f against %.0f", ours.med, msal.med)
	ns, ok1 := r.get("Refresh/lib=entraauth", "ns/op")
	fake, ok2 := r.get("Refresh/lib=fake", "ns/op")
	sig, ok3 := r.get("VerifyIDTokenSignature/lib=entraauth", "ns/op")
	b := target{what: "refresh within 5% of the fake alone plus one signature check", known: ok1 && ok2 && ok3}
	if b.known {
		floor := fake.med + sig.med
		b.met = ns.med <= 1.05*floor
		b.measured = fmt.Sprintf("%s against %s + %s (%+.1f%%)", fmtNs(ns.med), fmtNs(fake.med), fmtNs(sig.med), (ns.med/floor-1)*100)
	}
	return []target{a, b}
}

// spreadTarget compares two variants of a benchmark (matched by re's
// number) in the main module's results.
func spreadTarget(core *results, re *regexp.Regexp, lo, hi, what string, judge func(a, b float64) (bool, string)) target {
	t := target{what: what}
	byKey := map[string]map[string]float64{}
	for _, name := range core.order {
		m := re.FindStringSubmatchIndex(name)
		if m == nil {
			continue
		}
		n := name[m[2]:m[3]]
		key := name[:m[2]] + "#" + name[m[3]:]
		s, _ := core.get(name, "ns/op")
		if byKey[key] == nil {
			byKey[key] = map[string]float64{}
		}
		byKey[key][n] = s.med
	}
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		v := byKey[key]
		a, okA := v[lo]
		c, okB := v[hi]
		if !okA || !okB || a == 0 {
			continue
		}
		met, msg := judge(a, c)
		t.known, t.met, t.measured = true, met, fmt.Sprintf("%s (%s)", msg, strings.Replace(key, "#", "N", 1))
		if !met {
			break
		}
	}
	return t
}

func sizeTarget(sizes []size) target {
	t := target{what: "binary no larger than MSAL Go's"}
	var ours, msal float64
	for _, s := range sizes {
		switch s.name {
		case "entraauth":
			ours = s.bytes
		case "msalgo":
			msal = s.bytes
		}
	}
	if ours > 0 && msal > 0 {
		t.known, t.met = true, ours <= msal
		t.measured = fmt.Sprintf("%.2f MiB against %.2f MiB (%+.1f%%)", ours/(1<<20), msal/(1<<20), (ours/msal-1)*100)
	}
	return t
}
