package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// libOrder is the column order of every table.
var libOrder = []string{"entraauth", "msalgo", "azidentity", "fake"}

func fmtNs(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2f s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.2f µs", v/1e3)
	}
	return fmt.Sprintf("%.1f ns", v)
}

func fmtStats(s stats) string {
	return fmt.Sprintf("%s [%s-%s]", fmtNs(s.med), fmtNs(s.min), fmtNs(s.max))
}

// ratio is other's median ns/op over entraauth's in the same group.
func ratio(r *results, group, lib string) (float64, bool) {
	ours, ok1 := r.get(group+"/lib=entraauth", "ns/op")
	other, ok2 := r.get(group+"/lib="+lib, "ns/op")
	if !ok1 || !ok2 || ours.med == 0 {
		return 0, false
	}
	return other.med / ours.med, true
}

func writeHeadline(b *strings.Builder, r *results) {
	s, ok := r.get("WarmSilent/lib=entraauth", "ns/op")
	if !ok {
		return
	}
	a, _ := r.get("WarmSilent/lib=entraauth", "allocs/op")
	fmt.Fprintf(b, "**Headline.** A warm silent GetToken costs %s and %.0f allocations", fmtNs(s.med), a.med)
	for _, lib := range []string{"msalgo", "azidentity"} {
		if x, ok := ratio(r, "WarmSilent", lib); ok {
			fmt.Fprintf(b, "; %s takes %.1fx as long", lib, x)
		}
	}
	b.WriteString(" in the same run.\n\n")
}

// writeGroups writes one table per benchmark group: a row per variant,
// a column per library.
func writeGroups(b *strings.Builder, r *results) {
	type row struct {
		variant string
		libs    map[string]string
	}
	groups := map[string][]*row{}
	var order []string
	for _, name := range r.order {
		gv, lib := split(name)
		if lib == "" {
			continue
		}
		g, variant, _ := strings.Cut(gv, "/")
		rows := groups[g]
		var cur *row
		for _, x := range rows {
			if x.variant == variant {
				cur = x
			}
		}
		if cur == nil {
			cur = &row{variant: variant, libs: map[string]string{}}
			if len(rows) == 0 {
				order = append(order, g)
			}
			groups[g] = append(rows, cur)
		}
		ns, _ := r.get(name, "ns/op")
		cell := fmtStats(ns)
		if al, ok := r.get(name, "allocs/op"); ok {
			by, _ := r.get(name, "B/op")
			cell += fmt.Sprintf(", %.0f B, %.0f allocs", by.med, al.med)
		}
		if lib != "entraauth" && lib != "fake" {
			if x, ok := ratio(r, gv, lib); ok {
				cell += fmt.Sprintf(", **%.2fx**", x)
			}
		}
		for _, extra := range []string{"req/op", "cache-bytes"} {
			if v, ok := r.get(name, extra); ok {
				cell += fmt.Sprintf(", %s %s", strconv.FormatFloat(v.med, 'g', 4, 64), extra)
			}
		}
		cell += fmt.Sprintf(" (n=%d)", r.runs(name))
		cur.libs[lib] = cell
	}
	slices.SortStableFunc(order, func(a, c string) int { return groupRank(a) - groupRank(c) })
	b.WriteString("## Every measure\n\nEach cell: median ns/op [min-max], B/op and allocs/op, **ratio to entraauth** (higher is slower than ours), and the number of rounds. In Refresh, `fake` is the fake authority alone answering the same redemption posted by hand: a library's own overhead is its cell minus that one. The NewProcess rows run a real program per op (`bench/newproc/`) against the fake on a loopback TLS socket: process start, new TCP and TLS connections, the cache file read and written; NewProcessFirstToken goes through a proxy that adds the round-trip time to every handshake and request (`rttproxy_test.go`).\n\n")
	for _, g := range order {
		fmt.Fprintf(b, "### %s\n\n", g)
		var libs []string
		for _, l := range libOrder {
			for _, x := range groups[g] {
				if _, ok := x.libs[l]; ok && !slices.Contains(libs, l) {
					libs = append(libs, l)
				}
			}
		}
		fmt.Fprintf(b, "| variant | %s |\n|---|%s\n", strings.Join(libs, " | "), strings.Repeat("---|", len(libs)))
		for _, x := range groups[g] {
			v := x.variant
			if v == "" {
				v = "-"
			}
			cells := make([]string, len(libs))
			for i, l := range libs {
				cells[i] = x.libs[l]
			}
			fmt.Fprintf(b, "| %s | %s |\n", v, strings.Join(cells, " | "))
		}
		b.WriteString("\n")
	}
}

// writeCore lists the main module's own benchmarks (entraauth only).
func writeCore(b *strings.Builder, r *results) {
	if len(r.order) == 0 {
		return
	}
	b.WriteString("## entraauth's own packages\n\nBenchmarks of the cache and the key set alone (no other library has the same unit).\n\n| benchmark | ns/op | B/op | allocs/op | n |\n|---|---|---|---|---|\n")
	for _, name := range r.order {
		ns, _ := r.get(name, "ns/op")
		by, _ := r.get(name, "B/op")
		al, _ := r.get(name, "allocs/op")
		fmt.Fprintf(b, "| %s | %s | %.0f | %.0f | %d |\n", name, fmtStats(ns), by.med, al.med, r.runs(name))
	}
	b.WriteString("\n")
	if _, ok := r.get("SSHCertCached", "ns/op"); ok {
		b.WriteString(sshCertNote)
	}
}

// sshCertNote compares the SSHCert rows with `az ssh cert`, which cannot
// run against the fake: Debian's azure-cli has no ssh extension.
const sshCertNote = "SSHCertFirst and SSHCertCached are an OpenSSH certificate from the in-memory fake (`sshcert.Get`) for a key without and with a cached certificate. " +
	"`az ssh cert` could not be measured against the fake: Debian's azure-cli package ships without the ssh extension (`az ssh` is not recognized). " +
	"Its floor is Python start-up, `az version -o none`: 0.86-1.23 s on this machine (3 runs, 2026-12-06), before any token request.\n\n"

// size is one minimal program's stripped binary.
type size struct {
	name           string
	bytes, modules float64
}

func readSizes(path string) []size {
	var out []size
	for _, l := range readLines(path) {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		by, err1 := strconv.ParseFloat(f[1], 64)
		mods, err2 := strconv.ParseFloat(f[2], 64)
		if err1 == nil && err2 == nil {
			out = append(out, size{f[0], by, mods})
		}
	}
	return out
}

func writeSizes(b *strings.Builder, sizes []size) {
	if len(sizes) == 0 {
		return
	}
	b.WriteString("## Binary size\n\nA minimal device-code program per library (`bench/sizes/`), built with `-trimpath -ldflags='-s -w'`; `stdlib` is the same two requests with the standard library only. Modules are the `dep` lines of `go version -m`.\n\n| program | bytes | MiB | modules |\n|---|---|---|---|\n")
	for _, s := range sizes {
		fmt.Fprintf(b, "| %s | %.0f | %.2f | %.0f |\n", s.name, s.bytes, s.bytes/(1<<20), s.modules)
	}
	b.WriteString("\n")
}

// groupOrder is the order of the tables: the hot path first.
var groupOrder = []string{"WarmSilent", "WarmSilentParallel", "WarmGoroutines", "WarmScale", "ColdFirstToken", "NewProcessFirstToken", "Refresh", "VerifyIDTokenSignature", "NewProcessRefresh", "NewProcessRefreshKeysNotKept", "ColdProcess"}

func groupRank(g string) int {
	if i := slices.Index(groupOrder, g); i >= 0 {
		return i
	}
	return len(groupOrder)
}
