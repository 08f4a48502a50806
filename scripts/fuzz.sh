#!/usr/bin/env bash
# Runs every fuzz target in the main module for $FUZZTIME each.
# go test -fuzz takes one target in one package per run, so list them first.
#
# Go 1.26's fuzz coordinator can report a bare "context deadline exceeded"
# when -fuzztime expires while a worker is mid-call (go.dev/issue/75804,
# fixed in Go 1.27). That is no finding: a real one writes a reproducer
# ("Failing input written to ...") or a panic/t.Error line. Such a bare
# deadline is retried once; if it recurs, the target's seed and testdata
# corpus is replayed deterministically and decides.
set -eu
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-4s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
count=0

bare_deadline() {
	grep -q 'context deadline exceeded' "$log" &&
		! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"
}

run_target() { # pkg name
	go test -run='^$' -fuzz="^$2\$" -fuzztime="$fuzztime" "$1" >"$log" 2>&1
}

while IFS= read -r pkg; do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for name in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "fuzz $pkg $name ($fuzztime)"
		count=$((count + 1))
		run_target "$pkg" "$name" && continue
		if bare_deadline; then
			echo "  fuzztime-boundary deadline (go.dev/issue/75804), no finding: retrying once"
			run_target "$pkg" "$name" && continue
			if bare_deadline && go test -run="^$name\$" -count=1 "$pkg" >"$log" 2>&1; then
				echo "  recurred; corpus replay passes: not a finding"
				continue
			fi
		fi
		cat "$log"
		status=1
	done
done < <(go list ./...)
echo "fuzz targets run: $count"
exit $status
