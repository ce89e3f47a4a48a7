#!/usr/bin/env python3
"""`make bench`: wasmaot against native code and wasmtime, side by side, in one run.

Builds everything it needs under bench/.build/ (git-ignored; Go and wasmtime outputs are
cached there, wasmaot outputs are rebuilt every run since the compiler is what is measured),
runs every case with repetitions, and prints a markdown table (also written to
bench/results.md). Sections: (a) Go standard-library benchmarks, (b) Go programs of our own,
(c) C kernels, (d) start-up, (e) compile time and peak memory, (f) output size, (g) SIMD C
kernels (`--only simd` is the same as `--only g`; it measures user + system CPU time unless
`--simd-clock wall`).

Usage: bench/bench.py [--quick] [--only a,b,c,d,e,f,g] [--reps N] [--simd-clock cpu|wall] [--out FILE]
Environment: WASMAOT (default target/release/wasmaot), GO, WASMTIME.
"""

import argparse
import math
import os
import platform
import random
import re
import resource
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
WASMTIME = os.environ.get("WASMTIME", str(VENV_BIN / "wasmtime"))
WASMAOT = os.environ.get("WASMAOT_BENCH", str(ROOT / "target" / "release" / "wasmaot"))
ZIG_CC = [str(VENV_BIN / "python"), "-m", "ziglang", "cc"]
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


def timev(cmd, env=None):
    """(wall seconds, peak RSS bytes) of `cmd` under /usr/bin/time -v."""
    p = run(["/usr/bin/time", "-v", *cmd], env=env)
    wall_m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
    h, m, s = wall_m.groups()
    secs = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) * 1024
    return secs, rss


def section_compile(args, out):
    d = BUILD / "go"
    hello = go_build(BENCH / "go" / "hello", d / "hello.wasm", wasm=True)
    large = go_test_c(LARGE_PKG[0], BUILD / "std" / f"{LARGE_PKG[1]}.wasm", wasm=True)
    out.append("## (e) Compile time and peak memory (`/usr/bin/time -v`)\n")
    out.append("| module | threads | wasmtime compile | wasmaot | aot/wasmtime time | wasmtime RSS | wasmaot RSS |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    res = {}
    tmp = BUILD / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    for label, wasm in [(f"hello ({fmt_bytes(hello.stat().st_size)})", hello),
                        (f"{LARGE_PKG[0]} test ({fmt_bytes(large.stat().st_size)})", large)]:
        for jobs in (1, 2):
            log(f"[compile] {label} jobs={jobs}")
            par = "n" if jobs == 1 else "y"
            wt = [timev([WASMTIME, "compile", "-C", "cache=n", "-C", f"parallel-compilation={par}",
                         "-o", tmp / "out.cwasm", wasm], env={"RAYON_NUM_THREADS": str(jobs)})
                  for _ in range(args.compile_reps)]
            wa = [timev([WASMAOT, wasm, "-o", tmp / "out.aot", "--jobs", str(jobs)])
                  for _ in range(args.compile_reps)]
            wt_t, wa_t = statistics.median(x[0] for x in wt), statistics.median(x[0] for x in wa)
            wt_m, wa_m = max(x[1] for x in wt), max(x[1] for x in wa)
            res[(wasm.name, jobs)] = (wa_t / wt_t, wa_m)
            out.append(f"| {label} | {jobs} | {wt_t:.2f} s | {wa_t:.2f} s | {fmt_ratio(wa_t / wt_t)} "
                       f"| {fmt_bytes(wt_m)} | {fmt_bytes(wa_m)} |")
    out.append("")
    return {"compile": res}


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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument("--only", default="a,b,c,d,e,f,g", help="sections to run, e.g. a,d (simd = g)")
    ap.add_argument("--reps", type=int, default=3, help="runs per program in (b), (c) and (g)")
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
    sections = {"g" if s == "simd" else s for s in args.only.split(",")}
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
                    ("g", section_simd)]:
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
