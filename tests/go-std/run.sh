#!/usr/bin/env bash
# Go's own standard-library tests under `wasmaot run` and `wasmtime run`, compared.
#
#   tests/go-std/run.sh [PACKAGE...]      (default: os io/fs path/filepath time bufio syscall)
#
# Each package's tests are built with `GOOS=wasip1 GOARCH=wasm go test -c` (offline, Go from
# .tools/venv/bin/go, GOCACHE in tests/.cache) and run the way Go's own go_wasip1_wasm_exec
# wrapper runs them: in the package's source directory, with `--dir /::/ --env PWD=$PWD
# --env PATH=$PATH -W max-wasm-stack=8388608`, once with `wasmaot run` and once with
# `wasmtime run`. Per package it prints both verdicts and the tests whose result differs; the
# last line is `N passed, N failed`, where a package passes when every test that passes under
# wasmtime also passes under wasmaot. Logs: tests/.cache/go-std/<pkg>.{wasmaot,wasmtime}.log.
#
# Environment: WASMAOT, WASMTIME, GO (as for the other runners), GO_STD_TIMEOUT (per run,
# default 600s).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WASMAOT=${WASMAOT:-$TARGET_DIR/debug/wasmaot}
WASMTIME=${WASMTIME:-$ROOT/.tools/venv/bin/wasmtime}
GO=${GO:-$ROOT/.tools/venv/bin/go}
TIMEOUT=${GO_STD_TIMEOUT:-600}
OUT=$ROOT/tests/.cache/go-std
mkdir -p "$OUT"
export WASMAOT_CACHE_DIR=${WASMAOT_CACHE_DIR:-$ROOT/tests/.cache/wasmaot-run}

PKGS=("$@")
[ ${#PKGS[@]} -gt 0 ] || PKGS=(os io/fs path/filepath time bufio syscall)

GOROOT=$("$GO" env GOROOT)
go_env=(GOOS=wasip1 GOARCH=wasm GO111MODULE=off GOFLAGS= GOPROXY=off GOTOOLCHAIN=local
        GOWORK=off GOENV=off CGO_ENABLED=0 GOCACHE="$ROOT/tests/.cache/go-build"
        GOPATH="$ROOT/tests/.cache/gopath")

# Test results of a `-test.v` log: "PASS name" / "FAIL name" lines, sorted.
results() {
    grep -E '^\s*--- (PASS|FAIL|SKIP): ' "$1" | sed -E 's/^\s*--- (PASS|FAIL|SKIP): ([^ ]+).*/\1 \2/' | sort -u
}

# Runs one engine: run ENGINE PKG WASM -> log file, returns the exit status.
run() {
    local engine=$1 pkg=$2 wasm=$3 log=$OUT/${2//\//_}.$1.log
    local flags=(--dir /::/ --env "PWD=$GOROOT/src/$pkg" --env "PATH=$PATH" -W max-wasm-stack=8388608)
    local cmd
    if [ "$engine" = wasmaot ]; then cmd=("$WASMAOT" run "${flags[@]}"); else cmd=("$WASMTIME" run "${flags[@]}"); fi
    (cd "$GOROOT/src/$pkg" && timeout "$TIMEOUT" "${cmd[@]}" "$wasm" -test.v -test.timeout=$((TIMEOUT - 30))s \
        >"$log" 2>&1 </dev/null)
}

passed=0
failed=0
for pkg in "${PKGS[@]}"; do
    name=${pkg//\//_}
    wasm=$OUT/$name.test.wasm
    if ! (cd "$GOROOT/src/$pkg" && env "${go_env[@]}" "$GO" test -c -o "$wasm" . >"$OUT/$name.build.log" 2>&1); then
        echo "FAIL $pkg: go test -c failed (see $OUT/$name.build.log)"
        failed=$((failed + 1))
        continue
    fi
    start=$(date +%s)
    run wasmaot "$pkg" "$wasm"; aot=$?
    mid=$(date +%s)
    run wasmtime "$pkg" "$wasm"; wt=$?
    end=$(date +%s)
    results "$OUT/$name.wasmaot.log" >"$OUT/$name.wasmaot.results"
    results "$OUT/$name.wasmtime.log" >"$OUT/$name.wasmtime.results"
    count() { grep -c "^$1 " "$2" || true; }
    summary() { echo "exit $1, $(count PASS "$2") passed, $(count FAIL "$2") failed, $(count SKIP "$2") skipped"; }
    # Tests that pass under wasmtime but not under wasmaot.
    worse=$(comm -23 <(grep '^PASS ' "$OUT/$name.wasmtime.results" | cut -d' ' -f2) \
                     <(grep '^PASS ' "$OUT/$name.wasmaot.results" | cut -d' ' -f2))
    better=$(comm -13 <(grep '^PASS ' "$OUT/$name.wasmtime.results" | cut -d' ' -f2) \
                      <(grep '^PASS ' "$OUT/$name.wasmaot.results" | cut -d' ' -f2))
    verdict=ok
    if [ -n "$worse" ] || { [ "$wt" = 0 ] && [ "$aot" != 0 ]; }; then verdict=FAIL; fi
    echo "$verdict $pkg: wasmaot $(summary $aot "$OUT/$name.wasmaot.results") ($((mid - start))s incl. compile) | wasmtime $(summary $wt "$OUT/$name.wasmtime.results") ($((end - mid))s)"
    [ -z "$worse" ] || echo "  pass under wasmtime only: $(echo $worse)"
    [ -z "$better" ] || echo "  pass under wasmaot only: $(echo $better)"
    if [ "$verdict" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
