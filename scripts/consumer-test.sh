#!/usr/bin/env bash
# Builds, outside this repository and offline, a consumer module the way a
# user of the library would make one: `go get` of a package, `go build`,
# `go vet`. (Not `go mod tidy`: it also loads the tests of the packages
# imported, all build tags on, and so wants modules that no build here
# ever downloaded into the local cache; `graph` counts them.) The modules of this repository come from a file://
# module proxy that scripts/modpin writes from this checkout (the main
# module from git archive of the commit a nested module requires, the
# nested module from the working tree); every other module comes from the
# local module cache, as a file:// proxy too. A requirement a consumer
# cannot resolve (the zero version, a commit missing here) fails the build.
#
#   consumer-test.sh                build a consumer of azadapter (make consumer)
#   consumer-test.sh graph PKG [V]  measure the module graph of a consumer
#                                   importing only PKG of the main module at
#                                   version V (default HEAD's pseudo-version)
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
main=github.com/entraauth/entraauth
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
$GO run ./scripts/modpin proxy "$tmp/proxy" > "$tmp/versions"
modcache=$($GO env GOMODCACHE)

# consumer runs the go command as an offline consumer: no workspace, no
# toolchain download, no checksum database (the proxy is this checkout),
# a module cache of its own so nothing of this repository is cached twice.
consumer() {
	(cd "$tmp/consumer" && env GOWORK=off GOTOOLCHAIN=local GOFLAGS='-mod=mod -modcacherw' \
		GOPROXY="file://$tmp/proxy,file://$modcache/cache/download" \
		GOSUMDB=off GONOSUMDB= GOPRIVATE= GONOPROXY= GOINSECURE= \
		GOMODCACHE="$tmp/modcache" "$GO" "$@")
}

newconsumer() {
	mkdir -p "$tmp/consumer"
	printf 'module example.com/consumer\n\ngo 1.26.0\n' > "$tmp/consumer/go.mod"
	cat > "$tmp/consumer/main.go"
}

case "${1:-}" in
"")
	newconsumer <<'GO'
// Command consumer uses azadapter as a user of the library would.
package main

import (
	"fmt"

	"github.com/entraauth/entraauth/azadapter"
	"github.com/entraauth/entraauth/oauth"
)

func main() {
	var cred oauth.Credential
	fmt.Printf("%T\n", azadapter.New(cred))
}
GO
	echo "consumer: go get $main/azadapter (offline, from $(tr '\n' ' ' < "$tmp/versions"))"
	consumer get "$main/azadapter"
	consumer build -o "$tmp/consumer/consumer" ./...
	consumer vet ./...
	echo "consumer: builds with $(consumer list -m "$main" "$main/azadapter" | tr '\n' ' ')"
	out=$("$tmp/consumer/consumer")
	[ "$out" = "*azadapter.Credential" ] || { echo "consumer: unexpected output $out"; exit 1; }
	;;
graph)
	pkg=${2:?usage: consumer-test.sh graph PKG [VERSION]}
	ver=${3:-$(awk -v m="$main" '$1 == m && v == "" { v = $2 } END { print v }' "$tmp/versions")}
	newconsumer <<GO
package main

import _ "$pkg"

func main() {}
GO
	consumer get "$pkg@$ver" 2>/dev/null
	consumer build -o /dev/null ./...
	echo "consumer of $pkg@$ver (go get, go build):"
	echo "  go mod graph | wc -l: $(consumer mod graph | wc -l)"
	echo "  go list -m all | wc -l: $(consumer list -m all | wc -l)"
	echo "  module zips go get + go build downloaded: $(find "$tmp/modcache/cache/download" -name '*.zip' | wc -l)"
	find "$tmp/modcache/cache/download" -name '*.zip' | sed "s|^$tmp/modcache/cache/download/|    |" | sort
	echo "  go list -m all:"
	consumer list -m all | sed 's/^/    /'
	find "$tmp/modcache/cache/download" -name '*.zip' | sort > "$tmp/zips.before"
	consumer mod tidy -e > "$tmp/tidy.log" 2>&1 || true
	echo "  go mod tidy -e then fetches (tests of $pkg, all build tags):"
	find "$tmp/modcache/cache/download" -name '*.zip' | sort | comm -13 "$tmp/zips.before" - | sed "s|^$tmp/modcache/cache/download/|    |"
	echo "  and wants, not in the local cache:"
	grep -o 'reading file://[^ ]*\.zip' "$tmp/tidy.log" | sed "s|reading file://$modcache/cache/download/|    |" | sort -u || true
	echo "  go.mod after tidy -e:"
	sed 's/^/    /' "$tmp/consumer/go.mod"
	;;
*)
	echo "usage: consumer-test.sh [graph PKG [VERSION]]" >&2
	exit 2
	;;
esac
