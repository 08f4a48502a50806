#!/usr/bin/env bash
# `make bench`: regenerates BENCHMARKS.md and bench/plots/*.svg from
# scratch. Every library runs in one interleaved run: one compiled test
# binary, run COUNT times with -count=1, so a burst of outside load hits
# all three alike. Raw output, profiles and benchstat go to
# bench/results/<time>/ (not committed).
#
#   bench/report.sh                       # COUNT=10 BENCHTIME=500ms, ~10 minutes on 2 cores
#   COUNT=2 BENCHTIME=50ms bench/report.sh  # a quick smoke run (the report says n=2)
#   bench/report.sh --from results/DIR    # rewrite the report from a run's raw files
#                                         # (after editing bench/findings.md)
set -euo pipefail
cd "$(dirname "$0")"

write_report() { # dir
	go run ./internal/report -raw "$1/raw.txt" -core "$1/core.txt" -tables "$1/tables.txt" \
		-sizes "$1/sizes.txt" -meta "$1/meta.txt" -profiles "$1/profiles.txt" -benchstat "$1/benchstat.txt" \
		-findings findings.md -out ../BENCHMARKS.md -plots plots -plots-link bench/plots
	echo "wrote BENCHMARKS.md and bench/plots/ (raw files in bench/$1)"
}
if [ "${1:-}" = --from ]; then
	write_report "${2:?usage: report.sh --from results/DIR}"
	exit
fi

count=${COUNT:-10}
benchtime=${BENCHTIME:-500ms}
bench='^Benchmark(WarmSilent|WarmSilentParallel|WarmScale|WarmGoroutines|ColdFirstToken|Refresh|VerifyIDTokenSignature|ColdProcess|NewProcessFirstToken|NewProcessRefresh|NewProcessRefreshKeysNotKept)$'
# The main module's own benchmarks of the cache miss and key-set size.
core_bench=${CORE_BENCH:-'Miss|KeySet|SSHCert'}
benchstat=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
out=results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out" plots
load() { cut -d' ' -f1-3 /proc/loadavg; }

{
	echo "generated: $(date -u '+%F %T UTC')"
	echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//;s/ *$//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
	echo "Go: $(go version | cut -d' ' -f3-)"
	echo "rounds: $count, -benchtime=$benchtime per benchmark per round"
	echo "load average before (1, 5, 15 min): $(load)"
} >"$out/meta.txt"

bin=$PWD/$out/bench.test
go test -c -o "$bin" .
echo "bench: $count rounds of $bench"
for i in $(seq "$count"); do
	echo "round $i of $count (load $(load))"
	"$bin" -test.run='^$' -test.bench="$bench" -test.benchmem -test.count=1 -test.benchtime="$benchtime" >>"$out/raw.txt"
done

echo "bench: main module ($core_bench)"
(cd .. && go test -run='^$' -bench="$core_bench" -benchmem -count="$count" ./cache ./internal/engine ./sshcert) >"$out/core.txt" || true

echo "bench: request counts and the 1,000-caller storm"
"$bin" -test.run='^(TestColdStart|TestConcurrentRefresh)$' -test.v -test.count=1 >"$out/tables.txt"

echo "bench: binary sizes"
for l in entraauth msalgo azidentity stdlib; do
	go build -trimpath -ldflags='-s -w' -o "$out/size-$l" "./sizes/$l"
	echo "$l $(stat -c %s "$out/size-$l") $(go version -m "$out/size-$l" | grep -c $'^\tdep')"
done >"$out/sizes.txt"

echo "bench: profiles of entraauth"
: >"$out/profiles.txt"
for b in 'WarmSilent/lib=entraauth' 'WarmSilentParallel/lib=entraauth' 'ColdFirstToken/rtt=0ms/lib=entraauth' 'Refresh/lib=entraauth' 'WarmScale/tokens=10000/lib=entraauth'; do
	f=$out/cpu-$(echo "$b" | tr '/=' '__').pprof
	"$bin" -test.run='^$' -test.bench="^Benchmark${b%%/*}\$/${b#*/}" -test.benchtime=2s -test.cpuprofile="$f" \
		-test.mutexprofile="${f%.pprof}.mutex" >/dev/null
	{
		echo "== $b (cpu, top 12 by flat time)"
		go tool pprof -top -nodecount=12 "$bin" "$f" 2>/dev/null | sed -n '/flat%/,$p'
		echo
	} >>"$out/profiles.txt"
done
echo "load average after (1, 5, 15 min): $(load)" >>"$out/meta.txt"

go run "$benchstat" -col /lib "$out/raw.txt" >"$out/benchstat.txt" 2>&1 || echo "(benchstat could not run)" >"$out/benchstat.txt"

write_report "$out"
