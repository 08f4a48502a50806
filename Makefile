# The test command named in README.md and run by .ci/run.
# Targets are small shell steps so a failure names what failed.

GO       ?= go
FUZZTIME ?= 4s
# staticcheck's release for Go 1.26, installed from the module proxy.
STATICCHECK_VERSION ?= v0.8.2

.PHONY: test sysdeps fmt vet tidy staticcheck race warmallocs nested fuzz catalog bench conformance

test: sysdeps fmt vet tidy staticcheck race warmallocs nested fuzz catalog

# Installs the system parts the system tests use (chromium, dbus,
# gnome-keyring) when running as root with apt; otherwise says what is missing.
sysdeps:
	@bash scripts/install-system-deps.sh

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	@for os in linux windows darwin; do \
		echo "go vet GOOS=$$os"; \
		GOOS=$$os $(GO) vet ./... || exit 1; \
		for m in $$(bash scripts/nested-modules.sh); do \
			(cd $$m && GOOS=$$os $(GO) vet ./...) || exit 1; \
		done; \
	done
	@for t in windows/amd64 windows/arm64 windows/386 darwin/amd64 darwin/arm64; do \
		echo "go vet ./broker/... GOOS/GOARCH=$$t CGO_ENABLED=0"; \
		GOOS=$${t%/*} GOARCH=$${t#*/} CGO_ENABLED=0 $(GO) vet ./broker/... || exit 1; \
	done

# Every module's go.mod and go.sum are what `go mod tidy` makes them.
tidy:
	@for m in . $$(bash scripts/nested-modules.sh); do \
		echo "go mod tidy -diff $$m"; \
		(cd $$m && $(GO) mod tidy -diff) || exit 1; \
	done

# staticcheck on the main module for every GOOS it vets on (code dead on
# one OS shows only there).
staticcheck:
	@$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@for os in linux windows darwin; do \
		echo "staticcheck GOOS=$$os"; \
		GOOS=$$os "$$($(GO) env GOPATH)/bin/staticcheck" ./... || exit 1; \
	done

race:
	$(GO) test -race -count=1 ./...

# Regression guard without a timed test: runs the serial warm GetToken benchmark
# briefly (no race detector, which adds allocations of its own; the parallel
# one counts its goroutines' start-up at 200 calls) and fails
# only when a warm call allocates; the time it prints is not checked.
warmallocs:
	@out=$$($(GO) test -count=1 -run '^$$' -bench '^BenchmarkGetTokenWarm$$' -benchtime=200x -benchmem ./internal/engine/) || { echo "$$out"; exit 1; }; \
	echo "$$out" | grep '^BenchmarkGetTokenWarm-'; \
	echo "$$out" | awk '/^BenchmarkGetTokenWarm-/ { n++; for (i = 2; i < NF; i++) if ($$(i+1) == "allocs/op" && $$i + 0 > 0) { print "warm GetToken allocates: " $$0; bad = 1 } } \
		END { if (n == 0) { print "no warm GetToken benchmark ran"; exit 1 } exit bad }'

nested:
	@for m in $$(bash scripts/nested-modules.sh); do \
		echo "go test -race $$m"; \
		(cd $$m && $(GO) test -race -count=1 ./...) || exit 1; \
	done

# A nested module meant for consumers (azadapter) requires a real commit of
# the main module (scripts/modpin), and a consumer module outside this tree
# builds from them offline (scripts/consumer-test.sh).
.PHONY: consumer
test: consumer
consumer:
	@$(GO) run ./scripts/modpin check
	@bash scripts/consumer-test.sh

fuzz:
	@FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# Every row of conformance/README.md's threat table that applies names tests that exist.
catalog:
	$(GO) run ./scripts/catalogcheck

# Runs the conformance kit for every credential (and MSAL Go) and writes
# conformance/REPORT.md; fails, after writing it, on an unexpected result.
conformance:
	@out=$$(mktemp); \
	$(GO) test -json -count=1 -run '^TestConformance(CIAM)?$$' ./devicecode/ ./loopback/ ./internal/engine/ ./broker/ > $$out; \
	(cd interop/msalgo && $(GO) test -json -count=1 -run '^TestConformance$$' .) >> $$out; \
	$(GO) run ./scripts/conformancereport -o conformance/REPORT.md < $$out; rc=$$?; rm -f $$out; exit $$rc

# Regenerates BENCHMARKS.md and bench/plots/ (about 10 minutes on 2 cores).
bench:
	bash bench/report.sh
