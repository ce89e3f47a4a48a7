// Every relaxed SIMD operator (<wasm_simd128.h>, built with `-msimd128 -mrelaxed-simd`), fed
// the inputs where the spec lets engines differ: swizzle indices >= 16, out-of-range and NaN
// truncations, products whose fused and unfused sums differ, mask lanes that are neither all
// ones nor all zeros, NaN and signed-zero min/max, -32768 * -32768, and i8 operands beyond 7
// bits. Prints one line per operator. The e2e runner (`relaxed/` cases) compares the output of
// the wasmaot executable with `wasmtime run` at the same CPU level, and with the
// expected-<level>.txt beside this file. NaN lanes print as `nan` (their sign and payload
// depend on the instruction, not on the relaxed choice). Every input goes through `opaque` so
// that clang cannot fold the operators away.

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasm_simd128.h>

static v128_t opaque(v128_t v) {
    volatile v128_t x = v;
    return x;
}

static void print_bytes(const char *name, v128_t v) {
    uint8_t b[16];
    wasm_v128_store(b, v);
    printf("%s:", name);
    for (int i = 0; i < 16; i++) printf("%s%02x", i % 4 ? "" : " ", b[i]);
    printf("\n");
}

static void print_f32(const char *name, v128_t v) {
    uint32_t w[4];
    wasm_v128_store(w, v);
    printf("%s:", name);
    for (int i = 0; i < 4; i++) {
        if ((w[i] & 0x7fffffffu) > 0x7f800000u) printf(" nan");
        else printf(" %08x", w[i]);
    }
    printf("\n");
}

static void print_f64(const char *name, v128_t v) {
    uint64_t w[2];
    wasm_v128_store(w, v);
    printf("%s:", name);
    for (int i = 0; i < 2; i++) {
        if ((w[i] & 0x7fffffffffffffffull) > 0x7ff0000000000000ull) printf(" nan");
        else printf(" %016llx", (unsigned long long)w[i]);
    }
    printf("\n");
}

static v128_t f32_bits(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    return opaque(wasm_u32x4_make(a, b, c, d));
}

static v128_t f64_bits(uint64_t a, uint64_t b) {
    return opaque(wasm_u64x2_make(a, b));
}

int main(void) {
    // Swizzle: indices 16, 31, 0x80, 0x8f and 200 are out of range (wasm: 0; pshufb: index
    // mod 16 unless the top bit is set).
    v128_t table = opaque(wasm_u8x16_make(0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                                          0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f));
    v128_t idx = opaque(wasm_u8x16_make(0, 15, 16, 31, 0x80, 0x8f, 200, 3, 17, 255, 64, 7, 33,
                                        1, 0x7f, 8));
    print_bytes("relaxed_swizzle", wasm_i8x16_relaxed_swizzle(table, idx));

    // Truncations: NaN, overflow both ways, and in-range lanes.
    v128_t fs = f32_bits(0x7fc00000u, 0x4f400000u /* 3.2e9 */, 0xcf400000u /* -3.2e9 */,
                         0xbfc00000u /* -1.5 */);
    print_bytes("relaxed_trunc_f32x4_s", wasm_i32x4_relaxed_trunc_f32x4(fs));
    v128_t fu = f32_bits(0x7fc00000u, 0x4fc00000u /* 6.4e9 */, 0xbf800000u /* -1 */,
                         0x40200000u /* 2.5 */);
    print_bytes("relaxed_trunc_f32x4_u", wasm_u32x4_relaxed_trunc_f32x4(fu));
    v128_t ds = f64_bits(0x7ff8000000000000ull, 0x4202a05f20000000ull /* 1e10 */);
    print_bytes("relaxed_trunc_f64x2_s_zero", wasm_i32x4_relaxed_trunc_f64x2_zero(ds));
    v128_t ds2 = f64_bits(0xc202a05f20000000ull /* -1e10 */, 0xc00c000000000000ull /* -3.5 */);
    print_bytes("relaxed_trunc_f64x2_s_zero2", wasm_i32x4_relaxed_trunc_f64x2_zero(ds2));
    v128_t du = f64_bits(0xbff0000000000000ull /* -1 */, 0x4202a05f20000000ull /* 1e10 */);
    print_bytes("relaxed_trunc_f64x2_u_zero", wasm_u32x4_relaxed_trunc_f64x2_zero(du));
    v128_t du2 = f64_bits(0x7ff8000000000000ull, 0x4016000000000000ull /* 5.5 */);
    print_bytes("relaxed_trunc_f64x2_u_zero2", wasm_u32x4_relaxed_trunc_f64x2_zero(du2));

    // madd/nmadd: (1 + 2^-23)^2 - (1 + 2^-22) is 2^-46 fused and 0 when the product is
    // rounded first; likewise in f64 with 2^-52.
    v128_t fa = f32_bits(0x3f800001u, 0x3f800001u, 0x40000000u, 0x3f800000u);
    v128_t fc = f32_bits(0xbf800002u, 0x3f800002u, 0x3f800000u, 0x7fc00000u);
    print_f32("f32x4.relaxed_madd", wasm_f32x4_relaxed_madd(fa, fa, fc));
    print_f32("f32x4.relaxed_nmadd", wasm_f32x4_relaxed_nmadd(fa, fa, fc));
    v128_t da = f64_bits(0x3ff0000000000001ull, 0x3ff0000000000001ull);
    v128_t dc = f64_bits(0xbff0000000000002ull, 0x3ff0000000000002ull);
    print_f64("f64x2.relaxed_madd", wasm_f64x2_relaxed_madd(da, da, dc));
    print_f64("f64x2.relaxed_nmadd", wasm_f64x2_relaxed_nmadd(da, da, dc));

    // Laneselect with mask lanes that only have the top bit, or all but the top bit.
    v128_t ones = opaque(wasm_i8x16_splat(-1));
    v128_t zeros = opaque(wasm_i8x16_splat(0));
    v128_t m8 = opaque(wasm_u8x16_make(0x80, 0x7f, 0xff, 0x00, 0x81, 0x01, 0xf0, 0x0f, 0x80,
                                       0x7f, 0xff, 0x00, 0xc0, 0x40, 0xaa, 0x55));
    print_bytes("i8x16.relaxed_laneselect", wasm_i8x16_relaxed_laneselect(ones, zeros, m8));
    print_bytes("i16x8.relaxed_laneselect", wasm_i16x8_relaxed_laneselect(ones, zeros, m8));
    v128_t m32 = opaque(wasm_u32x4_make(0x80000000u, 0x7fffffffu, 0xffffffffu, 0x00ff00ffu));
    print_bytes("i32x4.relaxed_laneselect", wasm_i32x4_relaxed_laneselect(ones, zeros, m32));
    v128_t m64 = opaque(wasm_u64x2_make(0x8000000000000000ull, 0x7fffffffffffffffull));
    print_bytes("i64x2.relaxed_laneselect", wasm_i64x2_relaxed_laneselect(ones, zeros, m64));

    // min/max with NaN on either side and zeros of both signs.
    v128_t x = f32_bits(0x7fc00000u, 0x3f800000u, 0x80000000u, 0x00000000u);
    v128_t y = f32_bits(0x3f800000u, 0x7fc00000u, 0x00000000u, 0x80000000u);
    print_f32("f32x4.relaxed_min", wasm_f32x4_relaxed_min(x, y));
    print_f32("f32x4.relaxed_max", wasm_f32x4_relaxed_max(x, y));
    v128_t dx = f64_bits(0x7ff8000000000000ull, 0x8000000000000000ull);
    v128_t dy = f64_bits(0x3ff0000000000000ull, 0x0000000000000000ull);
    print_f64("f64x2.relaxed_min", wasm_f64x2_relaxed_min(dx, dy));
    print_f64("f64x2.relaxed_max", wasm_f64x2_relaxed_max(dx, dy));
    print_f64("f64x2.relaxed_min2", wasm_f64x2_relaxed_min(dy, dx));
    print_f64("f64x2.relaxed_max2", wasm_f64x2_relaxed_max(dy, dx));

    // q15mulr: -32768 * -32768 overflows (saturating: 32767; pmulhrsw: -32768).
    v128_t q = opaque(wasm_i16x8_make(-32768, -32768, 16384, -16384, 32767, 1, -1, 12345));
    v128_t r = opaque(wasm_i16x8_make(-32768, 32767, 16384, 16384, 32767, 1, -1, -23456));
    print_bytes("i16x8.relaxed_q15mulr_s", wasm_i16x8_relaxed_q15mulr(q, r));

    // Dot products with first operands beyond 7 bits read as unsigned by pmaddubsw, and
    // second operands with the top bit set (not i7).
    v128_t a = opaque(wasm_i8x16_make(-1, -1, -1, -1, 127, 127, -128, -128, 5, -6, 7, -8, -1,
                                      2, -3, 4));
    v128_t b = opaque(wasm_i8x16_make(1, 1, 127, 127, -128, -128, -128, -128, 9, 10, -11, 12,
                                      100, 100, 100, 100));
    print_bytes("i16x8.relaxed_dot_i8x16_i7x16_s", wasm_i16x8_relaxed_dot_i8x16_i7x16(a, b));
    v128_t c = opaque(wasm_i32x4_make(1000, -1000, 0x7fffffff, 0));
    print_bytes("i32x4.relaxed_dot_i8x16_i7x16_add_s",
                wasm_i32x4_relaxed_dot_i8x16_i7x16_add(a, b, c));
    return 0;
}
