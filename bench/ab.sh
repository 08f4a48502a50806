#!/usr/bin/env bash
# Before/after of entraauth's own rows in one run: the bench test binary
# built at BASE (with this tree's bench/ copied in, so both run the same
# benchmarks) and at the working tree, run alternately ROUNDS times with
# -count=1, then benchstat. Each binary runs from its own bench/ directory,
# so the new-process programs are built against their own library.
#
#   bench/ab.sh 3c5a728                 # ROUNDS=6 BENCHTIME=200ms
#   ROUNDS=10 BENCHTIME=500ms bench/ab.sh <commit>
#
# One -bench pattern with three levels skips the two-level benchmarks
# (Go treats them as partial matches), so there are two patterns.
set -euo pipefail
base=${1:?usage: bench/ab.sh BASE-COMMIT}
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base" >/dev/null
rm -rf "$work/base/bench" && cp -r bench "$work/base/bench"
(cd "$work/base/bench" && GOFLAGS=-mod=mod go test -c -o "$work/before.test" .)
(cd bench && go test -c -o "$work/after.test" .)
p2='^Benchmark(WarmSilent|Refresh|VerifyIDTokenSignature|NewProcessRefresh)$/^lib=entraauth$'
p3='^Benchmark(ColdFirstToken|NewProcessFirstToken)$/^rtt=(0|20)ms$/^lib=entraauth$'
run() { # test binary, directory, output
	for p in "$p2" "$p3"; do
		(cd "$2" && GOFLAGS=-mod=mod "$1" -test.run '^$' -test.bench "$p" -test.benchmem -test.count=1 \
			-test.benchtime="${BENCHTIME:-200ms}" >>"$3")
	done
}
for i in $(seq 1 "${ROUNDS:-6}"); do
	run "$work/before.test" "$work/base/bench" "$work/before.txt"
	run "$work/after.test" "$root/bench" "$work/after.txt"
	echo "round $i done" >&2
done
cd bench && go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$work/before.txt" "$work/after.txt"
