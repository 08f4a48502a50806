# The test command named in README.md and run by .ci/run.
# Targets are small shell steps so a failure names what failed.

GO       ?= go
FUZZTIME ?= 4s

.PHONY: test sysdeps fmt vet race nested fuzz bench catalog conformance

test: sysdeps fmt vet race nested fuzz catalog

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

race:
	$(GO) test -race -count=1 ./...

nested:
	@for m in $$(bash scripts/nested-modules.sh); do \
		echo "go test -race $$m"; \
		(cd $$m && $(GO) test -race -count=1 ./...) || exit 1; \
	done

fuzz:
	@FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# Every security catalog row that applies names tests that exist.
catalog:
	$(GO) run ./scripts/catalogcheck

# Runs the conformance kit for every credential (and MSAL Go) and writes
# conformance/REPORT.md; fails, after writing it, on an unexpected result.
conformance:
	@out=$$(mktemp); \
	$(GO) test -json -count=1 -run '^TestConformance$$' ./devicecode/ ./loopback/ ./oauth/ > $$out; \
	(cd interop/msalgo && $(GO) test -json -count=1 -run '^TestConformance$$' .) >> $$out; \
	$(GO) run ./scripts/conformancereport -o conformance/REPORT.md < $$out; rc=$$?; rm -f $$out; exit $$rc

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=5 ./...
	bash bench/run.sh
