#!/usr/bin/env bash
# Runs the side-by-side benchmarks and prints medians per benchmark, then
# each library's ratio to entraauth.
#
#   bench/run.sh                 # -count=5 -benchmem, raw output in bench/results/
#   COUNT=1 BENCHTIME=100x bench/run.sh /tmp/smoke.txt   # quick smoke run
#
# Environment: COUNT (default 5), BENCHTIME (default 1s), BENCH (regexp,
# default .), BENCHSTAT=0 to skip benchstat. The first argument is the raw
# output file (default results/bench-<UTC time>.txt). The 1-minute load
# average before and after the run is written into the file as comments:
# on a shared machine, compare ratios from one run, not absolute times
# across runs.
set -euo pipefail
cd "$(dirname "$0")"

count=${COUNT:-5}
benchtime=${BENCHTIME:-1s}
bench=${BENCH:-.}
out=${1:-results/bench-$(date -u +%Y%m%dT%H%M%SZ).txt}
mkdir -p "$(dirname "$out")"

load() { cut -d' ' -f1-3 /proc/loadavg; }
{
	echo "# $(date -u '+%F %T UTC') $(go version) nproc=$(nproc)"
	echo "# go test -c; $count x (bench.test -test.run='^\$' -test.bench='$bench' -test.benchmem -test.count=1 -test.benchtime=$benchtime)"
	echo "# load average before (1, 5, 15 min): $(load)"
} >"$out"
# One compiled binary, run COUNT times with -count=1, so the runs of the
# three libraries interleave and a burst of load from other processes hits
# all of them alike instead of five consecutive runs of one.
bin=$(mktemp -d)/bench.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" .
for i in $(seq "$count"); do
	echo "# run $i of $count, load average: $(load)" | tee -a "$out"
	"$bin" -test.run='^$' -test.bench="$bench" -test.benchmem -test.count=1 -test.benchtime="$benchtime" | tee -a "$out"
done
echo "# load average after (1, 5, 15 min): $(load)" | tee -a "$out"
echo "raw output: $out"

# Medians per benchmark, computed here so no tool is needed.
echo
awk '
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) {          # insertion sort, n is small
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/^Benchmark/, "", name)
	if (!(name in runs)) order[++k] = name
	runs[name]++
	for (f = 3; f < NF; f++) {
		if ($(f + 1) == "ns/op") ns[name] = ns[name] " " $f
		if ($(f + 1) == "B/op") by[name] = by[name] " " $f
		if ($(f + 1) == "allocs/op") al[name] = al[name] " " $f
	}
}
END {
	printf "%-36s %4s %14s %10s %10s\n", "benchmark (median of runs)", "runs", "ns/op", "B/op", "allocs/op"
	for (i = 1; i <= k; i++) {
		n = order[i]
		m[n] = median(ns[n])
		printf "%-36s %4d %14.1f %10.0f %10.0f\n", n, runs[n], m[n], median(by[n]), median(al[n])
	}
	# Ratios: Group/lib=L-P against Group/lib=entraauth-P, by median ns/op.
	printf "\n%-36s %14s\n", "ratio of median ns/op", "x entraauth"
	for (i = 1; i <= k; i++) {
		n = order[i]
		if (match(n, /\/lib=[^\/]*-[0-9]+$/) == 0) continue
		group = substr(n, 1, RSTART + 4); rest = substr(n, RSTART + 5)
		lib = rest; procs = rest
		sub(/-[0-9]+$/, "", lib); sub(/^.*-/, "", procs)
		ref = group "entraauth-" procs
		if (lib == "entraauth" || !(ref in m) || m[ref] == 0) continue
		printf "%-36s %14.1f\n", n, m[n] / m[ref]
	}
	# Parallel against serial, per library (< 1 means parallel callers got
	# slower per call than one caller alone: they serialize).
	printf "\n%-36s %14s\n", "serial / parallel ns/op", "speed-up"
	for (i = 1; i <= k; i++) {
		n = order[i]
		if (n !~ /^WarmSilentParallel\//) continue
		s = n; sub(/^WarmSilentParallel\//, "WarmSilent/", s)
		if ((s in m) && m[n] > 0) printf "%-36s %14.2f\n", n, m[s] / m[n]
	}
}' "$out"

# benchstat, when the module proxy serves it (it needs >= 6 runs for a
# confidence interval, and reports "~" when 5 runs cannot tell two
# libraries apart; the medians above need neither).
if [ "${BENCHSTAT:-1}" != 0 ]; then
	echo
	# One column per library, each compared with entraauth (the first).
	go run golang.org/x/perf/cmd/benchstat@latest -col /lib "$out" 2>/dev/null ||
		echo "(benchstat unavailable: medians above are computed by this script)"
fi
