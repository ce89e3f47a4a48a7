#!/usr/bin/env python3
"""`make bench`: wasmaot against native code and wasmtime, side by side, in one run.

Builds everything it needs under bench/.build/ (git-ignored; Go and wasmtime outputs, downloads
and the builds of SQLite and ripgrep are cached there, wasmaot outputs are rebuilt every run since
the compiler is what is measured), runs every case with repetitions, and prints a markdown table
(also written to bench/results.md). Sections:
  (a) Go standard-library benchmarks
  (b) Go programs of our own
  (c) C kernels
  (d) start-up
  (e) compile time and peak memory against `wasmtime compile`, 1 and 2 threads: Go hello,
      cmd/gofmt, the encoding/json test binary (17 MB), cmd/compile (53 MB), SQLite (C), ripgrep
      (Rust); the worst ratios against the targets
  (f) output size
  (g) SIMD C kernels (`--only simd` is the same as `--only g`; it measures user + system CPU time
      unless `--simd-clock wall`)
  (h) SQLite: a SQL workload (bench/sqlite/workload.c) on the amalgamation from the crates.io crate
      libsqlite3-sys, zig cc for wasm32-wasi, gcc natively
  (i) ripgrep from crates.io (`cargo install`, wasm32-wasip1 and native) searching GOROOT/src
  (j) the Go compiler (cmd/compile built for wasip1 and natively) compiling a std package
  (k) the second compile: one Go test binary compiled with the function cache warm from
      another's, against its cold compile
  (l) Go std test suites (strings, sort, regexp, encoding/json, math/big, compress/flate,
      strconv, bytes) run the way `go test -exec` runs them, under `wasmaot run` and
      `wasmtime run`, both with warm caches
  (m) layout sensitivity: strings.Compare (bench/go/layout) built as is and after an unrelated
      code change, each at both CPU levels, and Go's TestCompareStrings at both CPU levels
(h), (i) and (j) are the real programs (`--only real`); each compares its outputs across engines.
Their downloads need crates.io once (and the Rust target wasm32-wasip1, added with rustup); without
the network, a section whose download is missing says so and is skipped.

Usage: bench/bench.py [--quick] [--only a,b,c,d,e,f,g,h,i,j,k,l,m] [--reps N] [--compile-reps N]
                      [--simd-clock cpu|wall] [--out FILE]
Environment: WASMAOT_BENCH (default target/release/wasmaot), GO, WASMTIME, CARGO.
"""

import argparse
import math
import os
import platform
import random
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BUILD = BENCH / ".build"
VENV_BIN = ROOT / ".tools" / "venv" / "bin"
GO = os.environ.get("GO", str(VENV_BIN / "go"))


def _real_wasmtime() -> str:
    """The wasmtime binary itself: `.tools/venv/bin/wasmtime` is the wheel's Python launcher,
    which adds ~40 ms of interpreter start-up to every run it measures."""
    for p in sorted((ROOT / ".tools" / "venv" / "lib").glob("python*/site-packages/wasmtime_cli/wasmtime")):
        if os.access(p, os.X_OK):
            return str(p)
    return str(VENV_BIN / "wasmtime")


WASMTIME = os.environ.get("WASMTIME", _real_wasmtime())
WASM_TOOLS = os.environ.get("WASM_TOOLS", str(VENV_BIN / "wasm-tools"))
WASMAOT = os.environ.get("WASMAOT_BENCH", str(ROOT / "target" / "release" / "wasmaot"))
ZIG_CC = [str(VENV_BIN / "python"), "-m", "ziglang", "cc"]
CARGO = os.environ.get("CARGO", "cargo")
# Go's own wasip1 runner gives wasm an 8 MiB stack; do the same for wasmtime.
WASMTIME_RUN = [WASMTIME, "run", "--allow-precompiled", "-W", "max-wasm-stack=8388608"]

GO_ENV_COMMON = {
    "GO111MODULE": "off",
    "GOFLAGS": "",
    "GOPROXY": "off",
    "GOTOOLCHAIN": "local",
    "GOWORK": "off",
    "GOENV": "off",
    "CGO_ENABLED": "0",
    "GOCACHE": str(ROOT / "tests" / ".cache" / "go-build"),
    "GOPATH": str(ROOT / "tests" / ".cache" / "gopath"),
}

# (a) Go standard-library benchmarks: package, short name, -test.bench selection (no
# sub-benchmark explosions; everything but flate runs without test data).
STD_BENCHES = [
    ("internal/strconv", "strconv", "^Benchmark(Atof64Decimal|Atof64RandomFloats|Atoi|AppendInt)$"),
    ("strconv", "strconv-quote", "^Benchmark(Quote|UnquoteHard)$"),
    ("sort", "sort", "^Benchmark(SortInt1K|SortString1K|StableInt1K|SortStructs)$"),
    ("encoding/json", "json", "^Benchmark(UnmarshalMap|UnmarshalFloat64|UnmarshalString|EncoderEncode|Issue10335)$"),
    ("regexp", "regexp", "^Benchmark(Literal|NotLiteral|MatchClass|ReplaceAll|AnchoredLongMatch|OnePassLongPrefix)$"),
    ("compress/flate", "flate", "^Benchmark(Encode|Decode)$/^Digits/Speed/1e5$"),
    ("math/big", "big", "^Benchmark(Hilbert|Binomial|QuoRem|Exp|GCD1000x10000|Sqrt)$"),
    ("hash/crc32", "crc32", "^BenchmarkCRC32$/^poly=(IEEE|Castagnoli)$/^size=1kB$/^align=0$"),
    ("unicode/utf8", "utf8", "^Benchmark(RuneCountTenJapaneseChars|ValidLongJapanese|ValidLongMostlyASCII|EncodeJapaneseRune)$"),
]
# (b) our own Go programs (bench/go/<name>).
GO_PROGRAMS = ["loop", "pingpong", "trees", "maps"]
# (c) C kernels (bench/c/<name>.c).
C_KERNELS = ["matmul", "nbody", "hash", "sort"]
# (g) SIMD C kernels (bench/c/simd/<name>.c). Native: gcc's auto-vectoriser at 128 bits (SSE4.2
# on x86_64, the width wasm SIMD has); contraction off, so no build fuses a multiply and an add.
# Wasm: zig's clang with 128-bit SIMD, the same source (dot and sad use <wasm_simd128.h> under
# #ifdef __wasm_simd128__, where clang's own vectorisation is poor).
SIMD_KERNELS = ["dot", "saxpy", "matmul32", "blur", "sad", "bytecount"]
SIMD_NATIVE_FLAGS = ["-O2", "-ftree-vectorize", "-ffp-contract=off"] + \
    (["-march=x86-64-v2"] if platform.machine() == "x86_64" else [])
SIMD_WASM_FLAGS = ["-O2", "-msimd128", "-ffp-contract=off"]
# (e) the large module for compile time: a Go test binary of at least 15 MB (17.6 MB).
LARGE_PKG = ("encoding/json", "json")
# (h) SQLite: the amalgamation inside this crates.io crate (libsqlite3-sys bundles it for its
# `bundled` feature), built with our driver bench/sqlite/workload.c. The same flags natively
# (gcc) and for wasm32-wasi (zig cc), plus wasi-libc's emulations for mmap, getpid, signals and
# process clocks, as libsqlite3-sys's own build script does for wasm32-wasi.
SQLITE_CRATE = ("libsqlite3-sys", "0.40.0")
SQLITE_FLAGS = ["-O2", "-DSQLITE_THREADSAFE=0", "-DSQLITE_OMIT_LOAD_EXTENSION", "-DSQLITE_DEFAULT_MEMSTATUS=0",
                "-DSQLITE_OMIT_DEPRECATED"]
SQLITE_WASI_FLAGS = ["-DLONGDOUBLE_TYPE=double", "-D_WASI_EMULATED_MMAN", "-D_WASI_EMULATED_GETPID",
                     "-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_PROCESS_CLOCKS"]
SQLITE_WASI_LIBS = ["-lwasi-emulated-mman", "-lwasi-emulated-getpid", "-lwasi-emulated-signal",
                    "-lwasi-emulated-process-clocks"]
# (i) ripgrep from crates.io, `cargo install`ed natively and for wasm32-wasip1, searching the Go
# toolchain's GOROOT/src (12,000 files, 160 MB). `--sort path` makes every run single-threaded and
# its output ordered, so the three outputs can be compared.
RG_VERSION = "15.2.0"
RG_SEARCHES = [
    ("literal", ["-c", "-F", "return nil"]),
    ("case-insensitive", ["-c", "-i", r"unsafe\.pointer"]),
    ("word regex", ["-c", r"\b[A-Z]\w*Error\b"]),
]
# (j) the Go compiler, cmd/compile built for wasip1 and natively from the same sources, compiling
# one std package for GOOS=wasip1 GOARCH=wasm (so all three outputs must be byte-identical).
GOCOMPILE_PKG = "go/types"
# (k) the second compile: test binary A warms the function cache, then B (another package,
# same toolchain) is compiled warm and compared with its cold compile.
SECOND_COMPILE = [("strings", "strings"), ("sort", "sort")]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, env=None, cwd=None, check=True, capture=True):
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    p = subprocess.run(
        [str(c) for c in cmd],
        env=full_env,
        cwd=cwd,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE if capture else subprocess.DEVNULL,
        text=True,
    )
    if check and p.returncode != 0:
        raise RuntimeError(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n{p.stderr[-2000:] if capture else ''}")
    return p


def stale(out: Path, *inputs: Path) -> bool:
    if not out.exists():
        return True
    t = out.stat().st_mtime
    return any(i.stat().st_mtime > t for i in inputs if i.exists())


def go_env(wasm: bool):
    e = dict(GO_ENV_COMMON)
    e.update({"GOOS": "wasip1", "GOARCH": "wasm"} if wasm else {"GOOS": "linux", "GOARCH": "amd64"})
    return e


def go_build(src_dir: Path, out: Path, wasm: bool):
    if stale(out, *src_dir.glob("*.go")):
        out.parent.mkdir(parents=True, exist_ok=True)
        run([GO, "build", "-trimpath", "-o", out, "."], env=go_env(wasm), cwd=src_dir)
    return out


def go_test_c(pkg: str, out: Path, wasm: bool):
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        run([GO, "test", "-c", "-o", out, pkg], env=go_env(wasm), cwd=ROOT)
    return out


def go_cmd_build(pkg: str, out: Path, wasm: bool):
    """A command of the Go toolchain's own sources (cmd/gofmt, cmd/compile), built once."""
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        run([GO, "build", "-trimpath", "-o", out, pkg], env=go_env(wasm), cwd=ROOT)
    return out


class Skip(Exception):
    """A section (or a row) cannot run here, e.g. a download failed; the message says why."""


NO_NETWORK_HINT = "(the first run needs crates.io; later runs use the copy under bench/.build)"


def crate_source(name: str, version: str) -> Path:
    """The unpacked source of a crates.io crate, fetched once with `cargo vendor` into
    bench/.build/crates/vendor/NAME-VERSION."""
    vendor = BUILD / "crates" / "vendor"
    dest = vendor / f"{name}-{version}"
    if dest.exists():
        return dest
    proj = BUILD / "crates" / f"fetch-{name}"
    (proj / "src").mkdir(parents=True, exist_ok=True)
    (proj / "src" / "lib.rs").write_text("")
    (proj / "Cargo.toml").write_text(
        f'[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n\n'
        f'[dependencies]\n{name} = {{ version = "={version}", default-features = false }}\n\n[workspace]\n')
    log(f"  fetching {name} {version} from crates.io")
    p = run([CARGO, "vendor", "--versioned-dirs", "--no-delete", "--manifest-path", proj / "Cargo.toml", vendor],
            check=False)
    if p.returncode != 0 or not dest.exists():
        raise Skip(f"cannot fetch the crate {name} {version} {NO_NETWORK_HINT}: {p.stderr.strip()[-300:]}")
    return dest


def sqlite_workload(wasm: bool) -> Path:
    """bench/sqlite/workload.c with SQLite's amalgamation: gcc natively, zig cc for wasm32-wasi."""
    src = BENCH / "sqlite" / "workload.c"
    d = BUILD / "sqlite"
    out = d / ("workload.wasm" if wasm else "workload.native")
    # The build is slow (minutes on a busy machine): redo it only when the driver, the crate or
    # the flags change, the last two recorded in a stamp beside the output.
    stamp = out.with_suffix(out.suffix + ".flags")
    flags = [*SQLITE_FLAGS, *SQLITE_WASI_FLAGS, *SQLITE_WASI_LIBS] if wasm else SQLITE_FLAGS
    key = " ".join([*SQLITE_CRATE, *flags])
    if not stale(out, src) and stamp.exists() and stamp.read_text() == key:
        return out
    amalgamation = crate_source(*SQLITE_CRATE) / "sqlite3"
    d.mkdir(parents=True, exist_ok=True)
    log(f"  building SQLite {'for wasm32-wasi' if wasm else 'natively'} (a minute or more)")
    if wasm:
        run([*ZIG_CC, "-target", "wasm32-wasi", *SQLITE_FLAGS, *SQLITE_WASI_FLAGS, "-I", amalgamation,
             "-o", out, src, amalgamation / "sqlite3.c", *SQLITE_WASI_LIBS])
    else:
        run(["gcc", *SQLITE_FLAGS, "-I", amalgamation, "-o", out, src, amalgamation / "sqlite3.c", "-lm"])
    stamp.write_text(key)
    return out


def ripgrep(wasm: bool) -> Path:
    """ripgrep RG_VERSION from crates.io, `cargo install`ed once (both builds share a target dir)."""
    root = BUILD / "rg" / ("wasm" if wasm else "native")
    exe = root / "bin" / ("rg.wasm" if wasm else "rg")
    if exe.exists():
        return exe
    cmd = [CARGO, "install", "ripgrep", "--version", RG_VERSION, "--locked", "--root", root]
    if wasm:
        installed = run(["rustup", "target", "list", "--installed"], check=False).stdout.split()
        if "wasm32-wasip1" not in installed:
            p = run(["rustup", "target", "add", "wasm32-wasip1"], check=False)
            if p.returncode != 0:
                raise Skip(f"cannot add the Rust target wasm32-wasip1: {p.stderr.strip()[-300:]}")
        cmd += ["--target", "wasm32-wasip1"]
    log(f"  building ripgrep {RG_VERSION} {'for wasm32-wasip1' if wasm else 'natively'} (several minutes)")
    p = run(cmd, env={"CARGO_TARGET_DIR": str(BUILD / "rg" / "target")}, check=False)
    if p.returncode != 0 or not exe.exists():
        raise Skip(f"cannot build ripgrep {RG_VERSION} {NO_NETWORK_HINT}: {p.stderr.strip()[-300:]}")
    return exe


def cwasm(wasm: Path) -> Path:
    out = wasm.with_suffix(".cwasm")
    if stale(out, wasm):
        run([WASMTIME, "compile", "-o", out, wasm])
    return out


def aot(wasm: Path, extra=()) -> Path:
    out = wasm.with_suffix(".aot")
    run([WASMAOT, wasm, "-o", out, *extra])
    return out


def wall(cmd, env=None, cwd=None):
    t0 = time.perf_counter()
    p = run(cmd, env=env, cwd=cwd)
    return time.perf_counter() - t0, p.stdout


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def fmt_ns(ns):
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def fmt_s(s):
    return fmt_ns(s * 1e9)


def fmt_ratio(r):
    return "n/a" if r is None or math.isnan(r) else f"{r:.2f}"


def fmt_bytes(n):
    return f"{n / (1 << 20):.1f} MiB"


BENCH_LINE = re.compile(r"^(Benchmark\S+)\s+\d+\s+([\d.]+) ns/op")


def parse_bench(out: str):
    res = {}
    for line in out.splitlines():
        m = BENCH_LINE.match(line)
        if m:
            name = re.sub(r"-\d+$", "", m.group(1))
            res.setdefault(name, []).append(float(m.group(2)))
    return {k: statistics.median(v) for k, v in res.items()}


def section_std(args, out):
    goroot = Path(run([GO, "env", "GOROOT"]).stdout.strip())
    out.append("## (a) Go standard-library benchmarks (ns/op, median of "
               f"{args.count} × `-test.benchtime={args.benchtime}`)\n")
    out.append("| benchmark | native | wasmtime | wasmaot | aot/native | aot/wasmtime |")
    out.append("|---|---:|---:|---:|---:|---:|")
    r_native, r_wt = [], []
    for pkg, short, sel in STD_BENCHES:
        log(f"[std] {pkg}")
        d = BUILD / "std"
        native = go_test_c(pkg, d / f"{short}.native", wasm=False)
        wasm = go_test_c(pkg, d / f"{short}.wasm", wasm=True)
        cw = cwasm(wasm)
        exe = aot(wasm, ["--dir", "/", "--inherit-env"])
        pkgdir = goroot / "src" / pkg
        targs = ["-test.run=^$", f"-test.bench={sel}", f"-test.benchtime={args.benchtime}",
                 f"-test.count={args.count}"]
        env = {"PWD": str(pkgdir)}
        res = {}
        for kind, cmd in [
            ("native", [native, *targs]),
            ("wasmtime", [*WASMTIME_RUN, "--dir=/", "--env", f"PWD={pkgdir}", cw, *targs]),
            ("wasmaot", [exe, *targs]),
        ]:
            p = run(cmd, env=env, cwd=pkgdir, check=False)
            if p.returncode != 0:
                log(f"  {kind} failed ({p.returncode}): {p.stderr[-500:]}")
            res[kind] = parse_bench(p.stdout)
        for name in res["native"]:
            n, w, a = (res[k].get(name) for k in ("native", "wasmtime", "wasmaot"))
            ra = a / n if a and n else None
            rw = a / w if a and w else None
            if ra:
                r_native.append(ra)
            if rw:
                r_wt.append(rw)
            cell = lambda v: fmt_ns(v) if v else "FAIL"
            out.append(f"| {short}: {name.removeprefix('Benchmark')} | {cell(n)} | {cell(w)} | {cell(a)} "
                       f"| {fmt_ratio(ra)} | {fmt_ratio(rw)} |")
    gn, gw = geomean(r_native), geomean(r_wt)
    out.append(f"| **geometric mean** | | | | **{fmt_ratio(gn)}** | **{fmt_ratio(gw)}** |")
    slower = sum(1 for r in r_wt if r > 1.0)
    out.append(f"\n{len(r_wt)} benchmarks; {slower} slower under wasmaot than under wasmtime.\n")
    return {"std_vs_native": gn, "std_vs_wasmtime": gw, "std_slower": slower}


def cpu(cmd, env=None, cwd=None):
    """(user + system CPU seconds, stdout) of `cmd` and its threads and children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = run(cmd, env=env, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), p.stdout


def time_runs(args, cmds, clock=wall):
    """(median time by `clock`, last stdout) of each command over args.reps interleaved runs."""
    times = {k: [] for k in cmds}
    outs = {}
    for _ in range(args.reps):
        for k, (cmd, env) in cmds.items():
            t, o = clock(cmd, env=env)
            times[k].append(t)
            outs[k] = o
    return {k: statistics.median(v) for k, v in times.items()}, outs


def time_three(args, cmds, expect_same=True):
    """Median wall time of each command over args.reps interleaved runs."""
    times, outs = time_runs(args, cmds)
    if expect_same:
        ref = next(iter(outs.values()))
        for k, o in outs.items():
            if o != ref:
                log(f"  warning: output of {k} differs: {o[:200]!r} vs {ref[:200]!r}")
    return times


def section_programs(args, out):
    out.append(f"## (b) Go programs of our own (wall time, median of {args.reps})\n")
    out.append("| program | native | wasmtime | wasmaot | aot/native | aot/wasmtime |")
    out.append("|---|---:|---:|---:|---:|---:|")
    ratios = {}
    for name in GO_PROGRAMS:
        log(f"[go] {name}")
        src = BENCH / "go" / name
        d = BUILD / "go"
        native = go_build(src, d / f"{name}.native", wasm=False)
        wasm = go_build(src, d / f"{name}.wasm", wasm=True)
        cw, exe = cwasm(wasm), aot(wasm)
        t = time_three(args, {
            "native": ([native], None),
            "wasmtime": ([*WASMTIME_RUN, cw], None),
            "wasmaot": ([exe], None),
        })
        ra, rw = t["wasmaot"] / t["native"], t["wasmaot"] / t["wasmtime"]
        ratios[name] = rw
        out.append(f"| {name} | {fmt_s(t['native'])} | {fmt_s(t['wasmtime'])} | {fmt_s(t['wasmaot'])} "
                   f"| {fmt_ratio(ra)} | {fmt_ratio(rw)} |")
    gw = geomean([ratios[k] for k in ("pingpong", "trees", "maps") if k in ratios])
    out.append(f"| **geomean (pingpong, trees, maps)** | | | | | **{fmt_ratio(gw)}** |\n")
    return {"progs_vs_wasmtime": gw}


def section_c(args, out):
    out.append(f"## (c) C kernels (gcc -O2 vs zig cc -O2 → wasm32-wasi; wall time, median of {args.reps})\n")
    out.append("| kernel | native gcc | wasmtime | wasmaot | aot/native | aot/wasmtime |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for name in C_KERNELS:
        log(f"[c] {name}")
        src = BENCH / "c" / f"{name}.c"
        d = BUILD / "c"
        d.mkdir(parents=True, exist_ok=True)
        native, wasm = d / f"{name}.native", d / f"{name}.wasm"
        if stale(native, src):
            run(["gcc", "-O2", "-o", native, src, "-lm"])
        if stale(wasm, src):
            run([*ZIG_CC, "-target", "wasm32-wasi", "-O2", "-o", wasm, src])
        cw, exe = cwasm(wasm), aot(wasm)
        t = time_three(args, {
            "native": ([native], None),
            "wasmtime": ([*WASMTIME_RUN, cw], None),
            "wasmaot": ([exe], None),
        })
        out.append(f"| {name} | {fmt_s(t['native'])} | {fmt_s(t['wasmtime'])} | {fmt_s(t['wasmaot'])} "
                   f"| {fmt_ratio(t['wasmaot'] / t['native'])} | {fmt_ratio(t['wasmaot'] / t['wasmtime'])} |")
    out.append("")
    return {}


def host_has_x86_64_v3():
    """Whether this CPU has every feature `wasmaot --cpu x86-64-v3` uses."""
    if platform.machine() != "x86_64":
        return False
    try:
        flags = next(l for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("flags")).split()
    except (OSError, StopIteration):
        return False
    return all(f in flags for f in ("avx", "avx2", "bmi1", "bmi2", "abm", "fma"))


def section_simd(args, out):
    v3 = host_has_x86_64_v3()
    clock = cpu if args.simd_clock == "cpu" else wall
    what = "user + system CPU time" if clock is cpu else "wall time"
    out.append(f"## (g) SIMD C kernels ({what}, median of {args.reps})\n")
    out.append(f"Native: `gcc {' '.join(SIMD_NATIVE_FLAGS)}`; wasm: `zig cc -target wasm32-wasi "
               f"{' '.join(SIMD_WASM_FLAGS)}`, run by wasmaot at `--cpu baseline` (SSE4.1) and "
               "`--cpu x86-64-v3` (AVX2) and by `wasmtime run` (which uses every feature of this CPU). "
               "Every run must print the same checksum.\n")
    out.append("| kernel | native gcc | wasmtime | wasmaot | wasmaot v3 | aot/native | aot/wasmtime "
               "| v3/native | v3/wasmtime |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    cols = {"aot/native": [], "aot/wasmtime": [], "v3/native": [], "v3/wasmtime": []}
    for name in SIMD_KERNELS:
        log(f"[simd] {name}")
        src = BENCH / "c" / "simd" / f"{name}.c"
        d = BUILD / "simd"
        d.mkdir(parents=True, exist_ok=True)
        native, wasm = d / f"{name}.native", d / f"{name}.wasm"
        if stale(native, src, Path(__file__)):
            run(["gcc", *SIMD_NATIVE_FLAGS, "-o", native, src, "-lm"])
        if stale(wasm, src, Path(__file__)):
            run([*ZIG_CC, "-target", "wasm32-wasi", *SIMD_WASM_FLAGS, "-o", wasm, src])
        cw, exe = cwasm(wasm), aot(wasm)
        cmds = {
            "native": ([native], None),
            "wasmtime": ([*WASMTIME_RUN, cw], None),
            "wasmaot": ([exe], None),
        }
        if v3:
            exe3 = d / f"{name}.v3.aot"
            run([WASMAOT, wasm, "-o", exe3, "--cpu", "x86-64-v3"])
            cmds["wasmaot v3"] = ([exe3], None)
        t, outs = time_runs(args, cmds, clock)
        if len(set(outs.values())) != 1:
            sys.exit(f"bench: the {name} kernel's checksums differ: " +
                     "; ".join(f"{k}: {o.strip()!r}" for k, o in outs.items()))
        ratios = {
            "aot/native": t["wasmaot"] / t["native"],
            "aot/wasmtime": t["wasmaot"] / t["wasmtime"],
            "v3/native": t["wasmaot v3"] / t["native"] if v3 else None,
            "v3/wasmtime": t["wasmaot v3"] / t["wasmtime"] if v3 else None,
        }
        for k, r in ratios.items():
            if r:
                cols[k].append(r)
        v3_cell = fmt_s(t["wasmaot v3"]) if v3 else "n/a"
        out.append(f"| {name} | {fmt_s(t['native'])} | {fmt_s(t['wasmtime'])} | {fmt_s(t['wasmaot'])} "
                   f"| {v3_cell} | " + " | ".join(fmt_ratio(r) for r in ratios.values()) + " |")
    means = {k: geomean(v) for k, v in cols.items()}
    out.append("| **geometric mean** | | | | | " +
               " | ".join(f"**{fmt_ratio(m)}**" for m in means.values()) + " |\n")
    # What the times above include besides the kernel: an empty C program's run.
    empty_c = BUILD / "simd" / "empty.c"
    empty_c.write_text("int main(void) { return 0; }\n")
    native, wasm = BUILD / "simd" / "empty.native", BUILD / "simd" / "empty.wasm"
    run(["gcc", "-O2", "-o", native, empty_c])
    run([*ZIG_CC, "-target", "wasm32-wasi", "-O2", "-o", wasm, empty_c])
    t, _ = time_runs(args, {"native": ([native], None), "wasmtime": ([*WASMTIME_RUN, cwasm(wasm)], None),
                            "wasmaot": ([aot(wasm)], None)}, clock)
    out.append(f"Start-up included in each time above (an empty C program): native {fmt_s(t['native'])}, "
               f"wasmtime {fmt_s(t['wasmtime'])}, wasmaot {fmt_s(t['wasmaot'])}.\n")
    return {"simd_vs_native": means["aot/native"], "simd_vs_wasmtime": means["aot/wasmtime"]}


def section_startup(args, out):
    n = args.startup_runs
    log(f"[startup] {n} runs each")
    src = BENCH / "go" / "hello"
    d = BUILD / "go"
    native = go_build(src, d / "hello.native", wasm=False)
    wasm = go_build(src, d / "hello.wasm", wasm=True)
    cw, exe = cwasm(wasm), aot(wasm)
    cmds = {
        "/bin/true (floor)": ["/bin/true"],
        "native": [native],
        "wasmtime (.cwasm)": [*WASMTIME_RUN, cw],
        "wasmaot": [exe],
    }
    times = {k: [] for k in cmds}
    # A fresh order each round: a run right after wasmtime's (which tears down gigabytes of
    # mappings) is slower, and a fixed order would always give that slot to the same runner.
    order, rng = list(cmds), random.Random(13)
    for _ in range(n):
        rng.shuffle(order)
        for k in order:
            times[k].append(wall(cmds[k])[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    out.append(f"## (d) Start-up: Go hello world (wall time per run, {n} runs each, in a "
               "random order each round; `/bin/true` is the floor)\n")
    out.append("| runner | median | min | vs native |")
    out.append("|---|---:|---:|---:|")
    for k in cmds:
        out.append(f"| {k} | {fmt_s(med[k])} | {fmt_s(min(times[k]))} | {fmt_ratio(med[k] / med['native'])} |")
    r_wt = med["wasmaot"] / med["wasmtime (.cwasm)"]
    out.append(f"\nwasmaot / wasmtime: {fmt_ratio(r_wt)}\n")
    return {"startup_vs_native": med["wasmaot"] / med["native"], "startup_vs_wasmtime": r_wt}


def time_engines(args, cmds, result=None, warmup=False):
    """Median wall time of each engine's command over args.reps interleaved runs, as section (b)
    does, but a failing engine is recorded instead of ending the bench; with `warmup`, one
    untimed round first (to fill the page cache). Returns (medians, with None for an engine that
    failed; each engine's result, by default its stdout; failures)."""
    times = {k: [] for k in cmds}
    outs, failed = {}, {}
    for rep in range(args.reps + warmup):
        for k, (cmd, env) in cmds.items():
            if k in failed:
                continue
            t0 = time.perf_counter()
            p = run(cmd, env=env, check=False)
            dt = time.perf_counter() - t0
            if p.returncode != 0:
                failed[k] = f"exit status {p.returncode}: {p.stderr.strip()[-300:]}"
                log(f"  {k} failed ({failed[k]})")
                continue
            if rep >= warmup:
                times[k].append(dt)
            outs[k] = result(k, p.stdout) if result else p.stdout
    return {k: statistics.median(v) if v else None for k, v in times.items()}, outs, failed


REAL_HEADER = ["| case | native | wasmtime | wasmaot | aot/native | aot/wasmtime | outputs |",
               "|---|---:|---:|---:|---:|---:|---|"]


def real_row(label, med, outs, failed):
    """A REAL_HEADER row, and its aot/wasmtime ratio (None when a run failed)."""
    n, w, a = med.get("native"), med.get("wasmtime"), med.get("wasmaot")
    ra = a / n if a and n else None
    rw = a / w if a and w else None
    if failed:
        agree = "FAIL: " + ", ".join(failed)
    elif len(set(outs.values())) == 1:
        agree = "same"
    else:
        agree = "**DIFFER**"
        log(f"  warning: the outputs of {label} differ: " +
            "; ".join(f"{k}: {o[-200:]!r}" for k, o in outs.items()))
    cell = lambda v: fmt_s(v) if v else "FAIL"
    return (f"| {label} | {cell(n)} | {cell(w)} | {cell(a)} | {fmt_ratio(ra)} | {fmt_ratio(rw)} | {agree} |", rw)


def oneline(msg) -> str:
    """`msg` on one line, fit for a markdown table cell."""
    return " ".join(str(msg).split()).replace("|", "/")


def skipped(out, e):
    log(f"  skipped: {e}")
    out.append(f"Skipped: {oneline(e)}\n")
    return {}


def aot_or_fail(wasm: Path, extra, failed):
    """aot(), with a compile failure recorded in `failed` rather than raised."""
    try:
        return aot(wasm, extra)
    except RuntimeError as e:
        failed["wasmaot"] = f"compile failed: {str(e)[-300:]}"
        log(f"  wasmaot {failed['wasmaot']}")
        return None


def section_sqlite(args, out):
    log("[sqlite]")
    out.append(f"## (h) Real program: SQLite {run_sqlite_version()} (wall time, median of {args.reps})\n")
    try:
        native, wasm = sqlite_workload(False), sqlite_workload(True)
    except Skip as e:
        return skipped(out, e)
    out.append(f"bench/sqlite/workload.c on an in-memory database: 100,000 orders and 10,000 customers "
               "inserted in transactions of 10,000, three indexes, 22,000 indexed queries, joins, group-bys, "
               f"updates and deletes; a checksum of every result row. Native: `gcc {' '.join(SQLITE_FLAGS)}`; "
               "wasm: `zig cc -target wasm32-wasi` with the same flags.\n")
    out.extend(REAL_HEADER)
    failed = {}
    exe = aot_or_fail(wasm, [], failed)
    cmds = {"native": ([native], None), "wasmtime": ([*WASMTIME_RUN, cwasm(wasm)], None)}
    if exe:
        cmds["wasmaot"] = ([exe], None)
    med, outs, f = time_engines(args, cmds)
    failed.update(f)
    row, rw = real_row("SQL workload", med, outs, failed)
    out.append(row + "\n")
    return {"sqlite_vs_wasmtime": rw}


def run_sqlite_version():
    try:
        h = (crate_source(*SQLITE_CRATE) / "sqlite3" / "sqlite3.h").read_text(errors="replace")
        return re.search(r'#define SQLITE_VERSION\s+"([^"]+)"', h).group(1)
    except (Skip, OSError, AttributeError):
        return "(from libsqlite3-sys)"


def section_ripgrep(args, out):
    log("[ripgrep]")
    out.append(f"## (i) Real program: ripgrep {RG_VERSION} (wall time, median of {args.reps})\n")
    try:
        native, wasm = ripgrep(False), ripgrep(True)
    except Skip as e:
        return skipped(out, e)
    goroot = Path(run([GO, "env", "GOROOT"]).stdout.strip())
    tree = goroot / "src"
    out.append(f"`rg --sort path` (one thread, ordered output) over the Go toolchain's GOROOT/src "
               "after one untimed round to warm the page cache "
               f"({sum(1 for _ in tree.rglob('*'))} entries); built with `cargo install ripgrep --locked`, "
               "natively and `--target wasm32-wasip1`.\n")
    out.extend(REAL_HEADER)
    failed = {}
    exe = aot_or_fail(wasm, ["--dir", tree], failed)
    cw = cwasm(wasm)
    ratios = []
    for label, flags in RG_SEARCHES:
        log(f"  {label}")
        rg_args = ["--sort", "path", *flags, tree]
        cmds = {"native": ([native, *rg_args], None),
                "wasmtime": ([*WASMTIME_RUN, f"--dir={tree}", cw, *rg_args], None)}
        if exe:
            cmds["wasmaot"] = ([exe, *rg_args], None)
        med, outs, f = time_engines(args, cmds, warmup=True)
        row, rw = real_row(f"{label}: `rg {shlex.join(flags)}`", med, outs, {**failed, **f})
        out.append(row)
        if rw:
            ratios.append(rw)
    gw = geomean(ratios)
    out.append(f"| **geometric mean** | | | | | **{fmt_ratio(gw)}** | |\n")
    return {"rg_vs_wasmtime": gw}


def gocompile_inputs(pkg: str):
    """A self-contained compile of `pkg` for GOOS=wasip1: its sources and the export data of its
    dependencies (as `go build` made them) copied under bench/.build/gocompile/PKG, and an
    importcfg naming them. Returns (that directory, the importcfg, the source files)."""
    d = BUILD / "gocompile" / pkg.replace("/", "_")
    cfg, listing = d / "importcfg", d / "files"
    if cfg.exists() and listing.exists():
        return d, cfg, [d / "src" / f for f in listing.read_text().split()]
    env = go_env(True)
    info = run([GO, "list", "-f", "{{.Dir}}|{{join .GoFiles \" \"}}|{{len .SFiles}}{{len .EmbedFiles}}{{len .CgoFiles}}",
                pkg], env=env, cwd=ROOT).stdout.strip()
    pkg_dir, files, extras = info.split("|")
    if extras != "000":
        raise Skip(f"{pkg} has assembly, embedded or cgo files; pick a pure Go package for GOCOMPILE_PKG")
    deps = run([GO, "list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}", pkg],
               env=env, cwd=ROOT).stdout.split()
    shutil.rmtree(d, ignore_errors=True)
    (d / "src").mkdir(parents=True)
    (d / "export").mkdir()
    lines = ["# import config"]
    for dep in deps:
        path, export = dep.split("=", 1)
        if path == pkg or not export:
            continue
        dst = d / "export" / (path.replace("/", "_") + ".a")
        shutil.copyfile(export, dst)
        lines.append(f"packagefile {path}={dst}")
    for f in files.split():
        shutil.copyfile(Path(pkg_dir) / f, d / "src" / f)
    cfg.write_text("\n".join(lines) + "\n")
    listing.write_text(files + "\n")
    return d, cfg, [d / "src" / f for f in files.split()]


def section_gocompile(args, out):
    import hashlib
    pkg = GOCOMPILE_PKG
    log(f"[gocompile] {pkg}")
    out.append(f"## (j) Real program: the Go compiler compiling {pkg} (wall time, median of {args.reps})\n")
    d = BUILD / "gocompile"
    native = go_cmd_build("cmd/compile", d / "compile.native", wasm=False)
    wasm = go_cmd_build("cmd/compile", d / "compile.wasm", wasm=True)
    try:
        work, cfg, files = gocompile_inputs(pkg)
    except Skip as e:
        return skipped(out, e)
    out.append(f"`cmd/compile` built from the toolchain's sources natively and for wasip1, compiling {pkg} "
               f"({len(files)} files) for GOOS=wasip1 GOARCH=wasm with one backend thread (`-c=1`), the "
               "way `go build` invokes it; the three archives must be byte-identical.\n")
    out.extend(REAL_HEADER)
    target = {"GOOS": "wasip1", "GOARCH": "wasm"}
    outputs = {k: work / f"{k}.a" for k in ("native", "wasmtime", "wasmaot")}
    compile_args = lambda o: ["-o", o, "-p", pkg, "-std", "-complete", "-nolocalimports", "-c=1", "-pack",
                              "-importcfg", cfg, "-trimpath", f"{work / 'src'}=>{pkg}", *files]
    env_flags = [x for k, v in target.items() for x in ("--env", f"{k}={v}")]
    failed = {}
    exe = aot_or_fail(wasm, ["--dir", work, *env_flags], failed)
    cmds = {"native": ([native, *compile_args(outputs["native"])], target),
            "wasmtime": ([*WASMTIME_RUN, f"--dir={work}", *env_flags, cwasm(wasm),
                          *compile_args(outputs["wasmtime"])], None)}
    if exe:
        cmds["wasmaot"] = ([exe, *compile_args(outputs["wasmaot"])], None)
    digest = lambda k, stdout: stdout + hashlib.sha256(outputs[k].read_bytes()).hexdigest()
    med, outs, f = time_engines(args, cmds, result=digest)
    failed.update(f)
    row, rw = real_row(f"compile {pkg}", med, outs, failed)
    out.append(row + "\n")
    return {"gocompile_vs_wasmtime": rw}


def timev(cmd, env=None):
    """(wall seconds, peak RSS bytes) of `cmd` under /usr/bin/time -v."""
    p = run(["/usr/bin/time", "-v", *cmd], env=env)
    wall_m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
    h, m, s = wall_m.groups()
    secs = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) * 1024
    return secs, rss


def compile_modules():
    """(label, builder) of each module in the compile table; a builder may raise Skip."""
    go = BUILD / "go"
    return [
        ("Go hello", lambda: go_build(BENCH / "go" / "hello", go / "hello.wasm", wasm=True)),
        ("cmd/gofmt", lambda: go_cmd_build("cmd/gofmt", BUILD / "gotools" / "gofmt.wasm", wasm=True)),
        (f"{LARGE_PKG[0]} test", lambda: go_test_c(LARGE_PKG[0], BUILD / "std" / f"{LARGE_PKG[1]}.wasm", wasm=True)),
        ("cmd/compile", lambda: go_cmd_build("cmd/compile", BUILD / "gocompile" / "compile.wasm", wasm=True)),
        ("SQLite workload (C)", lambda: without_dwarf(sqlite_workload(True))),
        ("ripgrep (Rust)", lambda: without_dwarf(ripgrep(True))),
    ]


def without_dwarf(wasm: Path) -> Path:
    """A copy of `wasm` without its DWARF sections (the name section stays): `wasmtime compile`
    ignores DWARF unless asked, while wasmaot translates it by default, so the compile table
    compares code generation alone."""
    out = BUILD / "nodebug" / wasm.name
    if stale(out, wasm):
        out.parent.mkdir(parents=True, exist_ok=True)
        run([WASM_TOOLS, "strip", "-o", out, wasm])
    return out


def section_compile(args, out):
    out.append("## (e) Compile time and peak memory (`/usr/bin/time -v`)\n")
    out.append("`wasmtime compile` with parallel compilation off (1 thread) or on with RAYON_NUM_THREADS=2 "
               "against `wasmaot --jobs N`, both writing their output file (`-O2`, no caches); the C and Rust "
               "modules without their DWARF sections. "
               "Target: time ≤ 0.7 × wasmtime's, peak memory ≤ wasmtime's.\n")
    out.append("| module | threads | wasmtime compile | wasmaot | aot/wasmtime time | wasmtime RSS | wasmaot RSS "
               "| aot/wasmtime RSS |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    res = {}
    tmp = BUILD / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    for name, build in compile_modules():
        try:
            wasm = build()
        except Skip as e:
            log(f"[compile] {name}: skipped: {e}")
            out.append(f"| {name} | | skipped: {oneline(e)} | | | | | |")
            continue
        label = f"{name} ({fmt_bytes(wasm.stat().st_size)})"
        for jobs in (1, 2):
            log(f"[compile] {label} jobs={jobs}")
            par = "n" if jobs == 1 else "y"
            wt = [timev([WASMTIME, "compile", "-C", "cache=n", "-C", f"parallel-compilation={par}",
                         "-o", tmp / "out.cwasm", wasm], env={"RAYON_NUM_THREADS": str(jobs)})
                  for _ in range(args.compile_reps)]
            try:
                wa = [timev([WASMAOT, wasm, "-o", tmp / "out.aot", "--jobs", str(jobs)])
                      for _ in range(args.compile_reps)]
            except RuntimeError as e:
                log(f"  wasmaot failed: {str(e)[-300:]}")
                out.append(f"| {label} | {jobs} | {statistics.median(x[0] for x in wt):.2f} s | FAIL | | | | |")
                continue
            wt_t, wa_t = statistics.median(x[0] for x in wt), statistics.median(x[0] for x in wa)
            wt_m, wa_m = max(x[1] for x in wt), max(x[1] for x in wa)
            res[(name, jobs)] = (wa_t / wt_t, wa_m / wt_m)
            out.append(f"| {label} | {jobs} | {wt_t:.2f} s | {wa_t:.2f} s | {fmt_ratio(wa_t / wt_t)} "
                       f"| {fmt_bytes(wt_m)} | {fmt_bytes(wa_m)} | {fmt_ratio(wa_m / wt_m)} |")
    if res:
        (wn, wj), (wt_r, _) = max(res.items(), key=lambda kv: kv[1][0])
        (mn, mj), (_, wm_r) = max(res.items(), key=lambda kv: kv[1][1])
        over = sum(1 for r, _ in res.values() if r > 0.7)
        out.append(f"\nWorst time ratio: **{fmt_ratio(wt_r)}** ({wn}, {wj} thread{'s' if wj > 1 else ''}; "
                   f"target ≤ 0.7, {over} of {len(res)} above it). Worst memory ratio: **{fmt_ratio(wm_r)}** "
                   f"({mn}, {mj} thread{'s' if mj > 1 else ''}; target ≤ 1.0).\n")
        return {"compile": res, "compile_worst_time": wt_r, "compile_worst_rss": wm_r}
    out.append("")
    return {"compile": res}


HITS_LINE = re.compile(r"function cache .*: (\d+) of (\d+) functions were hits")


def cached_compile(wasm: Path, out_path: Path, cache: Path, use_cache=True):
    """(wall seconds, hits, functions) of one `wasmaot --cache` compile into `cache`."""
    env = {"WASMAOT_CACHE_DIR": str(cache), "WASMAOT_VERBOSE": "1"}
    t0 = time.monotonic()
    p = run([WASMAOT, wasm, "-o", out_path, "--cache" if use_cache else "--no-cache"], env=env)
    secs = time.monotonic() - t0
    m = HITS_LINE.search(p.stderr)
    return secs, (int(m.group(1)) if m else 0), (int(m.group(2)) if m else 0)


def section_second_compile(args, out):
    (pkg_a, name_a), (pkg_b, name_b) = SECOND_COMPILE
    a = go_test_c(pkg_a, BUILD / "std" / f"{name_a}.wasm", wasm=True)
    b = go_test_c(pkg_b, BUILD / "std" / f"{name_b}.wasm", wasm=True)
    tmp = BUILD / "tmp" / "fcache"
    out.append("## (k) Second compile: the function cache (`wasmaot --cache`, all cores)\n")
    out.append(f"Test binary A = `{pkg_a}` ({fmt_bytes(a.stat().st_size)}) compiled into an empty "
               f"cache, then B = `{pkg_b}` ({fmt_bytes(b.stat().st_size)}). Ratios are against B's "
               "compile without the cache (`--no-cache`), which the output is compared with.\n")
    out.append("| compile | time | hits | vs B, no cache | output |")
    out.append("|---|---:|---:|---:|---|")
    rows = {}
    for rep in range(args.compile_reps):
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        log(f"[second compile] rep {rep + 1}")
        none = cached_compile(b, tmp / "b.none", tmp / "unused", use_cache=False)
        b_cold = cached_compile(b, tmp / "b.cold", tmp / "cache-b")
        a_cold = cached_compile(a, tmp / "a.cold", tmp / "cache")
        b_warm = cached_compile(b, tmp / "b.warm", tmp / "cache")
        b_hot = cached_compile(b, tmp / "b.hot", tmp / "cache")
        for k, v in [("B, no cache", none), ("B, empty cache", b_cold), ("A, empty cache", a_cold),
                     ("B after A", b_warm), ("B again", b_hot)]:
            rows.setdefault(k, []).append(v)
    same = all((tmp / f"b.{k}").read_bytes() == (tmp / "b.none").read_bytes()
               for k in ("cold", "warm", "hot"))
    med = {k: statistics.median(x[0] for x in v) for k, v in rows.items()}
    base = med["B, no cache"]
    for k, v in rows.items():
        hits, funcs = v[-1][1], v[-1][2]
        hit = f"{hits} of {funcs} ({100 * hits / funcs:.0f}%)" if funcs else "-"
        identical = "-" if k.startswith("A") else "reference" if k == "B, no cache" else \
            "identical" if same else "DIFFERS"
        out.append(f"| {k} | {med[k]:.2f} s | {hit} | {fmt_ratio(med[k] / base)} | {identical} |")
    out.append(f"\nB warm from A / B without cache: {fmt_ratio(med['B after A'] / base)} (target <= 0.3); "
               f"B warm from itself: {fmt_ratio(med['B again'] / base)}.\n")
    return {"second_compile": med["B after A"] / base, "recompile": med["B again"] / base}


# (l) Go std test suites under `go test -exec`-style runs.
TEST_SUITES = ["strings", "sort", "regexp", "encoding/json", "math/big", "compress/flate",
               "strconv", "bytes"]


def section_test_suites(args, out):
    goroot = Path(run([GO, "env", "GOROOT"]).stdout.strip())
    cache = BUILD / "tmp" / "run-cache"
    out.append("## (l) Go std test suites, as `go test -exec` runs them (wall time, median of "
               f"{args.reps}, warm caches)\n")
    out.append("Each package's test binary (`go test -c`, GOOS=wasip1) runs in its source directory "
               "with Go's own wasip1 exec flags (`--dir / --env PWD --env PATH -W "
               "max-wasm-stack=8388608`), once untimed to fill the caches (`wasmaot run`'s "
               "executable cache, wasmtime's compilation cache), then timed. Target: no package "
               "slower than under wasmtime.\n")
    out.append("| package | wasmtime run | wasmaot run | aot/wasmtime | verdicts |")
    out.append("|---|---:|---:|---:|---|")
    ratios, slower = [], []
    for pkg in TEST_SUITES:
        log(f"[test suites] {pkg}")
        wasm = go_test_c(pkg, BUILD / "suites" / f"{pkg.replace('/', '_')}.wasm", wasm=True)
        pkgdir = goroot / "src" / pkg
        flags = ["--dir", "/::/", "--env", f"PWD={pkgdir}", "--env", f"PATH={os.environ.get('PATH', '')}",
                 "-W", "max-wasm-stack=8388608"]
        engines = {
            "wasmtime": [WASMTIME, "run", "-C", "cache=y", *flags, wasm],
            "wasmaot": [WASMAOT, "run", *flags, wasm],
        }
        env = {"WASMAOT_CACHE_DIR": str(cache)}
        times, verdicts = {}, {}
        for kind, cmd in engines.items():
            run(cmd, env=env, cwd=pkgdir, check=False)
            samples = []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                p = run(cmd, env=env, cwd=pkgdir, check=False)
                samples.append(time.perf_counter() - t0)
            times[kind] = statistics.median(samples)
            verdicts[kind] = "ok" if p.returncode == 0 else f"exit {p.returncode}"
        r = times["wasmaot"] / times["wasmtime"]
        ratios.append(r)
        if r > 1.0:
            slower.append(pkg)
        v = verdicts["wasmaot"] if verdicts["wasmaot"] == verdicts["wasmtime"] else \
            f"wasmtime {verdicts['wasmtime']}, wasmaot {verdicts['wasmaot']}"
        out.append(f"| {pkg} | {times['wasmtime']:.2f} s | {times['wasmaot']:.2f} s | {fmt_ratio(r)} | {v} |")
    out.append(f"| **geometric mean** | | | **{fmt_ratio(geomean(ratios))}** | |")
    out.append(f"\n{len(slower)} of {len(ratios)} packages slower under wasmaot"
               f"{': ' + ', '.join(slower) if slower else ''}.\n")
    return {"suites_vs_wasmtime": geomean(ratios), "suites_slower": slower}


# (m) An unrelated function: compiled in, reachable only in principle, moving the code after it.
LAYOUT_PAD = """package main

import "strings"

var padSink []string

func init() {
	if len(padSink) > 1 {
		padSink = append(padSink, padding(len(padSink)))
	}
}

func padding(k int) string {
	s := strings.Repeat("pad", k) + strings.ToUpper(strings.TrimSpace(" unrelated "))
	return strings.Map(func(r rune) rune { return r + 1 }, s)
}
"""


def section_layout(args, out):
    runs = max(5, 2 * args.reps + 1)
    out.append(f"## (m) Layout sensitivity (median of {runs} runs each)\n")
    out.append("`strings.Compare` on 100 KB strings (bench/go/layout: one byte loop) built as is and "
               "with an unrelated function added (every function after it moves), each compiled "
               "for the baseline CPU and for `--cpu x86-64-v3` (different code, so the loop lands "
               "elsewhere); and Go's own `TestCompareStrings` (strings package) at both CPU levels. "
               "Target: every placement within ±10 % of the others.\n")
    src = BENCH / "go" / "layout"
    padded = BUILD / "layout-pad"
    padded.mkdir(parents=True, exist_ok=True)
    (padded / "main.go").write_text((src / "main.go").read_text())
    (padded / "pad.go").write_text(LAYOUT_PAD)
    d = BUILD / "layout"
    variants = {}
    for tag, s in [("as is", src), ("unrelated change", padded)]:
        wasm = go_build(s, d / f"{tag.replace(' ', '-')}.wasm", wasm=True)
        for cpu in ("baseline", "x86-64-v3"):
            exe = d / f"{tag.replace(' ', '-')}.{cpu}.aot"
            run([WASMAOT, wasm, "-o", exe, "--cpu", cpu])
            variants[f"{tag}, {cpu}"] = exe
    wt_wasm = d / "as-is.wasm"
    out.append("| build | wasmaot | vs fastest |")
    out.append("|---|---:|---:|")
    meds = {}
    for name, exe in variants.items():
        meds[name] = statistics.median(float(run([exe]).stdout.strip()) / 1000 for _ in range(runs))
    wt = statistics.median(float(run([*WASMTIME_RUN, cwasm(wt_wasm)]).stdout.strip()) / 1000
                           for _ in range(runs))
    best = min(meds.values())
    for name, m in meds.items():
        out.append(f"| strings.Compare, {name} | {m:.1f} ms | {fmt_ratio(m / best)} |")
    out.append(f"| (wasmtime, as is) | {wt:.1f} ms | |")
    spread = max(meds.values()) / best
    # TestCompareStrings at both CPU levels.
    goroot = Path(run([GO, "env", "GOROOT"]).stdout.strip())
    test_wasm = go_test_c("strings", BUILD / "suites" / "strings.wasm", wasm=True)
    pkgdir = goroot / "src" / "strings"
    tmeds = {}
    for cpu in ("baseline", "x86-64-v3"):
        exe = d / f"strings-test.{cpu}.aot"
        run([WASMAOT, test_wasm, "-o", exe, "--cpu", cpu, "--dir", "/", "--env", f"PWD={pkgdir}"])
        tmeds[cpu] = statistics.median(wall([exe, "-test.run", "^TestCompareStrings$"], cwd=pkgdir)[0]
                                       for _ in range(max(3, args.reps)))
    twt = statistics.median(wall([*WASMTIME_RUN, "--dir=/", cwasm(test_wasm), "-test.run",
                                  "^TestCompareStrings$"], cwd=pkgdir)[0] for _ in range(max(3, args.reps)))
    tbest = min(tmeds.values())
    for cpu, m in tmeds.items():
        out.append(f"| TestCompareStrings, {cpu} | {m * 1000:.0f} ms | {fmt_ratio(m / tbest)} |")
    out.append(f"| (wasmtime TestCompareStrings) | {twt * 1000:.0f} ms | |")
    tspread = max(tmeds.values()) / tbest
    out.append(f"\nSpread (slowest / fastest placement): strings.Compare {fmt_ratio(spread)}, "
               f"TestCompareStrings {fmt_ratio(tspread)} (target ≤ 1.10 each).\n")
    return {"layout_spread": spread, "layout_test_spread": tspread}


def section_size(args, out):
    out.append("## (f) Output size (executables as built; Go native binaries include DWARF)\n")
    out.append("| program | native Go | wasm | wasmaot exe | aot/native |")
    out.append("|---|---:|---:|---:|---:|")
    rows = [("hello", BUILD / "go" / "hello")] + [(n, BUILD / "go" / n) for n in GO_PROGRAMS] + \
        [(s, BUILD / "std" / s) for _, s, _ in STD_BENCHES[:4]]
    worst = 0.0
    for name, base in rows:
        nat, wasm, exe = base.with_suffix(".native"), base.with_suffix(".wasm"), base.with_suffix(".aot")
        if not (nat.exists() and wasm.exists()):
            continue
        if not exe.exists():
            aot(wasm)
        r = exe.stat().st_size / nat.stat().st_size
        worst = max(worst, r)
        out.append(f"| {name} | {fmt_bytes(nat.stat().st_size)} | {fmt_bytes(wasm.stat().st_size)} "
                   f"| {fmt_bytes(exe.stat().st_size)} | {fmt_ratio(r)} |")
    out.append("")
    return {"size_worst": worst}


ALL_SECTIONS = "a,b,c,d,e,f,g,h,i,j,k,l,m"
SECTION_ALIASES = {"simd": "g", "real": "h,i,j"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument("--only", default=ALL_SECTIONS,
                    help="sections to run, e.g. a,d (simd = g; real = h,i,j: SQLite, ripgrep, Go compiler)")
    ap.add_argument("--reps", type=int, default=3, help="runs per program in (b), (c), (g), (h), (i) and (j)")
    ap.add_argument("--count", type=int, default=3, help="-test.count for (a)")
    ap.add_argument("--benchtime", default="100ms", help="-test.benchtime for (a)")
    ap.add_argument("--simd-clock", choices=["cpu", "wall"], default="cpu",
                    help="what (g) measures: CPU time (steadier on a shared machine) or wall time")
    ap.add_argument("--startup-runs", type=int, default=200)
    ap.add_argument("--compile-reps", type=int, default=1)
    ap.add_argument("--out", default=str(BENCH / "results.md"))
    args = ap.parse_args()
    if args.quick:
        args.reps, args.count, args.benchtime, args.startup_runs = 1, 1, "50ms", 10
    for tool in (WASMAOT, WASMTIME, GO):
        if not Path(tool).exists():
            sys.exit(f"bench: {tool} not found (run `make tools` and `cargo build --release -p wasmaot`)")
    sections = set()
    for s in args.only.split(","):
        sections |= set(SECTION_ALIASES.get(s.strip(), s.strip()).split(","))
    unknown = sections - set(ALL_SECTIONS.split(","))
    if unknown:
        sys.exit(f"bench: unknown sections {','.join(sorted(unknown))} (known: {ALL_SECTIONS}, simd, real)")
    out = [
        "# wasmaot benchmarks\n",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}; "
        f"{run([GO, 'version']).stdout.strip()}; {run([WASMTIME, '--version']).stdout.strip()}; "
        f"wasmaot: `{Path(WASMAOT).relative_to(ROOT) if Path(WASMAOT).is_relative_to(ROOT) else WASMAOT}`. "
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}.\n",
    ]
    summary = {}
    t0 = time.time()
    for key, fn in [("a", section_std), ("b", section_programs), ("c", section_c),
                    ("d", section_startup), ("e", section_compile), ("f", section_size),
                    ("g", section_simd), ("h", section_sqlite), ("i", section_ripgrep),
                    ("j", section_gocompile), ("k", section_second_compile),
                    ("l", section_test_suites), ("m", section_layout)]:
        if key in sections:
            summary.update(fn(args, out) or {})
    out.append(f"Total bench time: {time.time() - t0:.0f} s.\n")
    text = "\n".join(out)
    print(text)
    Path(args.out).write_text(text)
    log(f"written to {args.out}")


if __name__ == "__main__":
    if not shutil.which("gcc"):
        sys.exit("bench: gcc not found")
    main()
