# sign-cli build, test and tooling entry points.
#
#   make build   - build bin/sign-cli (lean) and bin/sign-cli-build
#   make demo    - sign and check an image on a local devnet
#   make test    - every test tier (installs what each tier needs; see README)
#   make lint    - gofmt, go vet, staticcheck
#   make bench   - Go benchmarks of the hot paths
#   make fuzz    - run every fuzz target for FUZZTIME each
#   make contract - recompile the FunC contracts into their committed code BOCs

SHELL := /bin/bash
GO ?= go
TOOLS := $(CURDIR)/.tools
TOOLS_BIN := $(TOOLS)/bin
export PATH := $(TOOLS_BIN):$(PATH)

STATICCHECK_VERSION := v0.8.2
FUZZTIME ?= 30s
# Fuzzing runs on Go 1.27.3, which the go command fetches from the module
# proxy once (76 MB): Go 1.26's fuzz coordinator can fail a target with a bare
# "context deadline exceeded" when -fuzztime runs out on a loaded machine
# (go.dev/issue/75804, fixed in 1.27). FUZZ_GOTOOLCHAIN=local uses the Go on
# PATH instead.
FUZZ_GOTOOLCHAIN ?= go1.27.3
BENCHTIME ?= 1s

# Node.js packages (nekoton-wasm, func-js, the Everscale config) used by the
# interoperability tests and by `make contract`; pinned by package-lock.json.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: all build demo test test-go lint fmt vet staticcheck bench fuzz fuzz-ci contract node-deps ci-deps tools clean buildkit-tools images-bin

all: build

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

# bin/sign-cli is built lean (-tags lean): it links no BuildKit, gRPC or
# OpenTelemetry, whose package init would cost every command ~3.7 ms, and
# runs the build commands through bin/sign-cli-build, sign-cli built whole
# (cmd/sign-cli/companion.go).
build:
	$(GO) build -tags lean -ldflags "-X main.buildVersion=$(VERSION)" -o bin/sign-cli ./cmd/sign-cli
	$(GO) build -ldflags "-X main.buildVersion=$(VERSION)" -o bin/sign-cli-build ./cmd/sign-cli
	$(GO) build -ldflags "-X main.buildVersion=$(VERSION)" -o bin/ ./cmd/goshfile-frontend

# The quick start: a local devnet and registry, a sample image signed and
# checked. Needs nothing but Go.
demo: build
	scripts/demo.sh

# `make test` is what CI runs. Tiers that need Node.js install its packages
# first; they skip with a message when node is missing outside CI.
test: node-deps ci-deps
	$(GO) vet ./...
	$(GO) vet -tags lean ./cmd/sign-cli
	$(GO) test -count=1 -timeout 30m ./...
	$(GO) test -count=1 -race ./everos/... ./devnet/... ./signature/... ./keys/... ./image/... ./proof/... ./internal/tailbuf
	@if [ -n "$$CI" ]; then $(MAKE) --no-print-directory fuzz-ci; fi

test-go:
	$(GO) test -count=1 ./...

node-deps: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: interoperability tests will be skipped (install Node.js >= 18)"; \
	fi

# Debian packages and tools from the Go module proxy that only some tiers
# need. Installed only when CI is set and we are root, so a developer's
# machine is never changed behind their back.
ci-deps:
	@if [ -n "$$CI" ] && [ "$$(id -u)" = 0 ]; then \
		if ! command -v node >/dev/null 2>&1; then \
			apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm; \
		fi; \
		if ! command -v runc >/dev/null 2>&1 || [ ! -x /bin/busybox ] || [ ! -x /bin/bash-static ]; then \
			apt-get update -qq && apt-get install -y -qq --no-install-recommends runc busybox-static bash-static; \
		fi; \
		if [ ! -x /usr/bin/cargo ] || [ ! -x /usr/bin/rustc ]; then \
			apt-get update -qq && apt-get install -y -qq --no-install-recommends cargo rustc; \
		fi; \
		$(MAKE) --no-print-directory buildkit-tools; \
	fi

# The BuildKit daemon and client and crane for the end-to-end build tests
# (internal/buildkittest), built from the tools module in tools/buildkit so
# that their dependencies stay out of sign-cli's go.mod. About two minutes
# on an empty Go cache; nothing is done when the binaries are there.
BUILDKIT_TOOLS := $(TOOLS_BIN)/buildkitd $(TOOLS_BIN)/buildctl $(TOOLS_BIN)/crane

buildkit-tools: $(BUILDKIT_TOOLS)

$(BUILDKIT_TOOLS) &: tools/buildkit/go.mod tools/buildkit/go.sum
	cd tools/buildkit && CGO_ENABLED=0 $(GO) build -trimpath \
		-tags 'osusergo netgo static_build seccomp' -o $(TOOLS_BIN)/ \
		github.com/moby/buildkit/cmd/buildkitd \
		github.com/moby/buildkit/cmd/buildctl \
		github.com/google/go-containerregistry/cmd/crane

# The static binaries the Dockerfile puts in its images, built the same way
# the Dockerfile builds them.
images-bin:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.buildVersion=$(VERSION)" -o bin/static/ ./cmd/sign-cli ./cmd/goshfile-frontend

tools: $(TOOLS_BIN)/staticcheck

$(TOOLS_BIN)/staticcheck:
	GOBIN=$(TOOLS_BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	$(GO) vet -tags lean ./cmd/sign-cli

staticcheck: $(TOOLS_BIN)/staticcheck
	$(TOOLS_BIN)/staticcheck ./...
	$(TOOLS_BIN)/staticcheck -tags lean ./cmd/sign-cli

# The Go benchmarks, then scripts/bench.sh: sign-cli against cosign verify,
# batched against separate checks, and sign, on a local devnet (results and
# how to read them in docs/benchmarks.md).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...
	scripts/bench.sh

# Every Fuzz* function in the module, FUZZTIME each. Targets are found in
# the sources, so that only the packages that have some are compiled.
fuzz:
	@set -e; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^\./node_modules/' | xargs -n1 dirname | sort -u); do \
		for f in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$dir/*_test.go); do \
			echo "== $$dir $$f ($(FUZZTIME))"; \
			GOTOOLCHAIN=$(FUZZ_GOTOOLCHAIN) $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$dir; \
		done; \
	done

# What CI runs (make test with CI set): every fuzz target for 30s; 22
# targets, so about 11 minutes.
fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=30s

contract: node-deps
	node tools/contract/compile.mjs

clean:
	rm -rf bin
