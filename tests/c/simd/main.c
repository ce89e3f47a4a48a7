// SIMD kernels built with `-msimd128`: an auto-vectorised loop and hand-written kernels with
// the intrinsics of <wasm_simd128.h>, touching every family of WebAssembly 2.0 vector
// operators (lanes, shuffles, integer and float arithmetic, conversions, memory). Prints one
// line per kernel; the e2e runner compares the output with expected.json and `wasmtime run`.
// No output depends on a NaN's payload (engines may differ there). Every input goes through
// `opaque` so that clang cannot fold the operators away at compile time.

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasm_simd128.h>

#define N 1000

static float xs[N], ys[N];
static uint8_t bytes[N];

// `v`, which the compiler no longer knows: read back from a volatile.
static v128_t opaque(v128_t v) {
    volatile v128_t x = v;
    return x;
}

// `p`, which the compiler no longer knows to point at what it does.
static const void *opaque_ptr(const void *p) {
    const void *volatile x = p;
    return x;
}

// Printed as hexadecimal lanes, lane 0 first.
static void print_v128(const char *name, v128_t v) {
    uint8_t b[16];
    wasm_v128_store(b, v);
    printf("%s:", name);
    for (int i = 0; i < 16; i++) printf("%s%02x", i % 4 ? "" : " ", b[i]);
    printf("\n");
}

// Left to the vectoriser: y = a*x + y, and a sum of bytes.
static void saxpy(float a) {
    for (int i = 0; i < N; i++) ys[i] = a * xs[i] + ys[i];
}

static uint32_t byte_sum(void) {
    uint32_t s = 0;
    for (int i = 0; i < N; i++) s += bytes[i];
    return s;
}

// Lane i of the sum is the dot product of a row of `m` with `v` (4x4 int16 matrix in i32).
static v128_t dot_rows(const int16_t *m, const int16_t *v) {
    v128_t acc = opaque(wasm_i32x4_splat(0));
    v128_t vv = wasm_v128_load(v);
    for (int r = 0; r < 2; r++) {
        v128_t row = wasm_v128_load(m + 8 * r);
        v128_t d = wasm_i32x4_dot_i16x8(row, vv);
        acc = wasm_i32x4_add(acc, d);
    }
    return acc;
}

int main(void) {
    for (int i = 0; i < N; i++) {
        xs[i] = (float)i * 0.5f;
        ys[i] = (float)(N - i);
        bytes[i] = (uint8_t)(i * 37 + 11);
    }
    saxpy(3.0f);
    double total = 0;
    for (int i = 0; i < N; i++) total += ys[i];
    printf("saxpy: %.1f %.1f %.1f\n", ys[0], ys[N - 1], total);
    printf("byte_sum: %u\n", byte_sum());

    // Integer lanes.
    v128_t a = opaque(wasm_i8x16_make(1, -2, 3, -4, 5, -6, 7, -8, 100, -100, 127, -128, 0, 50, -50, 90));
    v128_t b = opaque(wasm_i8x16_make(9, 8, 7, 6, 5, 4, 3, 2, 100, -100, 1, -1, 0, 80, -80, 40));
    print_v128("add_sat_s", wasm_i8x16_add_sat(a, b));
    print_v128("sub_sat_u", wasm_u8x16_sub_sat(a, b));
    print_v128("avgr_u", wasm_u8x16_avgr(a, b));
    print_v128("min_s", wasm_i8x16_min(a, b));
    print_v128("max_u", wasm_u8x16_max(a, b));
    print_v128("abs", wasm_i8x16_abs(a));
    print_v128("popcnt", wasm_i8x16_popcnt(a));
    print_v128("shl3", wasm_i8x16_shl(a, 3));
    print_v128("shr_s9", wasm_i8x16_shr(a, 9));
    print_v128("shuffle", wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 31, 30, 29, 28, 15, 14, 13, 12));
    print_v128("swizzle", wasm_i8x16_swizzle(a, opaque(wasm_i8x16_make(15, 14, 13, 12, 0, 1, 2, 3, 16, -56, 5, 5, 8, 9, 10, 11))));
    print_v128("narrow_u", wasm_u8x16_narrow_i16x8(opaque(wasm_i16x8_make(-5, 300, 255, 128, 7, 0, -32768, 32767)),
                                                 opaque(wasm_i16x8_make(1, 2, 3, 4, 5, 6, 7, 8))));
    print_v128("extend_low_s", wasm_i16x8_extend_low_i8x16(a));
    print_v128("extmul_high_u", wasm_u16x8_extmul_high_u8x16(a, b));
    print_v128("extadd_s", wasm_i16x8_extadd_pairwise_i8x16(a));
    v128_t h = opaque(wasm_i16x8_make(-32768, 16384, 1000, -1000, 32767, 2, -3, 12345));
    v128_t g = opaque(wasm_i16x8_make(-32768, 16384, 3000, 3000, 32767, -2, -3, 2));
    print_v128("q15mulr", wasm_i16x8_q15mulr_sat(h, g));
    print_v128("mul16", wasm_i16x8_mul(h, g));
    static const int16_t m[16] = {1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, 10, 20, 30, 40};
    static const int16_t v[8] = {1, 1, 2, 2, 3, 3, 4, 4};
    print_v128("dot", dot_rows(opaque_ptr(m), opaque_ptr(v)));
    v128_t w = opaque(wasm_i64x2_make(-5, 0x7fffffff00000001LL));
    print_v128("i64_abs", wasm_i64x2_abs(w));
    print_v128("i64_shr_s", wasm_i64x2_shr(w, 65));
    print_v128("i64_mul", wasm_i64x2_mul(w, opaque(wasm_i64x2_make(3, 0x100000001LL))));
    print_v128("i64_gt", wasm_i64x2_gt(w, opaque(wasm_i64x2_make(-6, 0x7fffffff00000001LL))));
    print_v128("u32_ge", wasm_u32x4_ge(opaque(wasm_i32x4_make(1, -1, 5, 0)), opaque(wasm_i32x4_make(2, 1, 5, -1))));
    print_v128("bitselect", wasm_v128_bitselect(a, b, opaque(wasm_i32x4_make(-1, 0, 0x0f0f0f0f, (int)0xf0000000))));
    print_v128("andnot", wasm_v128_andnot(a, b));
    printf("bitmask: %#x %#x %#x %#x\n", wasm_i8x16_bitmask(a), wasm_i16x8_bitmask(h),
           wasm_i32x4_bitmask(opaque(wasm_i32x4_make(-1, 1, -1, 1))), wasm_i64x2_bitmask(w));
    printf("any/all: %d %d %d %d\n", wasm_v128_any_true(opaque(wasm_i64x2_make(0, 0))),
           wasm_v128_any_true(opaque(wasm_i64x2_make(0, 256))), wasm_i8x16_all_true(a),
           wasm_i16x8_all_true(h));
    printf("lanes: %d %u %d %lld\n", wasm_i8x16_extract_lane(a, 9), wasm_u8x16_extract_lane(a, 9),
           wasm_i16x8_extract_lane(h, 0), (long long)wasm_i64x2_extract_lane(w, 1));
    print_v128("replace", wasm_i16x8_replace_lane(opaque(wasm_i32x4_splat(0x11223344)), 5, -2));

    // Float lanes.
    v128_t f = opaque(wasm_f32x4_make(-1.5f, 2.5f, 0.5f, -0.0f));
    v128_t e = opaque(wasm_f32x4_make(1.0f, -2.0f, 3.0e9f, 0.0f));
    print_v128("nearest", wasm_f32x4_nearest(f));
    print_v128("ceil", wasm_f32x4_ceil(f));
    print_v128("floor", wasm_f32x4_floor(f));
    print_v128("trunc", wasm_f32x4_trunc(f));
    print_v128("sqrt", wasm_f32x4_sqrt(wasm_f32x4_abs(f)));
    print_v128("min", wasm_f32x4_min(f, e));
    print_v128("max", wasm_f32x4_max(f, e));
    print_v128("pmin", wasm_f32x4_pmin(f, e));
    print_v128("pmax", wasm_f32x4_pmax(f, e));
    print_v128("div", wasm_f32x4_div(e, opaque(wasm_f32x4_splat(4.0f))));
    print_v128("lt", wasm_f32x4_lt(f, e));
    print_v128("trunc_sat_s", wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(e, opaque(wasm_f32x4_splat(1.5f)))));
    print_v128("trunc_sat_u", wasm_u32x4_trunc_sat_f32x4(e));
    print_v128("convert_u", wasm_f32x4_convert_u32x4(opaque(wasm_i32x4_make(-1, 7, 16777217, 0))));
    v128_t d = opaque(wasm_f64x2_make(1e300, -2.75));
    print_v128("demote", wasm_f32x4_demote_f64x2_zero(d));
    print_v128("promote", wasm_f64x2_promote_low_f32x4(f));
    print_v128("trunc_f64_u", wasm_u32x4_trunc_sat_f64x2_zero(opaque(wasm_f64x2_make(5e9, 3.99))));
    print_v128("convert_low_u", wasm_f64x2_convert_low_u32x4(opaque(wasm_i32x4_make(-1, 3, 9, 9))));
    printf("f64 lanes: %.17g %.17g\n", wasm_f64x2_extract_lane(wasm_f64x2_add(d, d), 1),
           wasm_f64x2_extract_lane(wasm_f64x2_replace_lane(d, 0, 0.125), 0));

    // Memory: extending, splat, zero and lane loads, lane stores.
    static uint8_t storage[32];
    for (int i = 0; i < 32; i++) storage[i] = (uint8_t)(0xf0 + i);
    uint8_t *buf = (uint8_t *)opaque_ptr(storage);
    print_v128("load8x8_s", wasm_i16x8_load8x8(buf + 3));
    print_v128("load32x2_u", wasm_u64x2_load32x2(buf + 1));
    print_v128("load16_splat", wasm_v128_load16_splat(buf + 5));
    print_v128("load64_zero", wasm_v128_load64_zero(buf + 7));
    print_v128("load32_lane", wasm_v128_load32_lane(buf + 9, opaque(wasm_i64x2_splat(0)), 2));
    wasm_v128_store64_lane(buf + 1, opaque(wasm_i64x2_make(1, 0x0102030405060708LL)), 1);
    wasm_v128_store8_lane(buf + 20, a, 15);
    print_v128("stored", wasm_v128_load(buf + 1));
    print_v128("stored2", wasm_v128_load(buf + 16));
    return 0;
}
