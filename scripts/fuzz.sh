#!/usr/bin/env bash
# Runs every fuzz target in the main module for $FUZZTIME each.
# go test -fuzz takes one target in one package per run, so list them first.
set -eu
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-4s}
status=0
count=0
while IFS= read -r pkg; do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for name in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "fuzz $pkg $name ($fuzztime)"
		count=$((count + 1))
		if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg" >/tmp/fuzz.$$.log 2>&1; then
			cat /tmp/fuzz.$$.log
			status=1
		fi
	done
done < <(go list ./...)
rm -f /tmp/fuzz.$$.log
echo "fuzz targets run: $count"
exit $status
