// dot: f32 dot product of two 4096-element arrays, repeated. Eight explicit partial sums fix
// the order of the additions, so the loop vectorises without -ffast-math and every build
// (gcc, clang to wasm, any vector width up to 8 lanes) gets the same bits. clang shuffles
// lanes around when it vectorises this for wasm, so the wasm build uses <wasm_simd128.h>:
// two f32x4 accumulators holding acc[0..3] and acc[4..7], the same sums in the same order.
#include <stdint.h>
#include <stdio.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif
#define N 4096
#define REPS 1800000
static float x[N], y[N];

#ifdef __wasm_simd128__
__attribute__((noinline)) static float dot(const float *a, const float *b) {
    v128_t lo = wasm_f32x4_splat(0), hi = lo;
    for (int i = 0; i < N; i += 8) {
        lo = wasm_f32x4_add(lo, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
        hi = wasm_f32x4_add(hi, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
    }
    float acc[8];
    wasm_v128_store(acc, lo);
    wasm_v128_store(acc + 4, hi);
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}
#else
__attribute__((noinline)) static float dot(const float *a, const float *b) {
    float acc[8] = {0};
    for (int i = 0; i < N; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += a[i + j] * b[i + j];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}
#endif

int main(void) {
    uint32_t s = 2463534242u;
    for (int i = 0; i < N; i++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        x[i] = (float)(s % 2001) / 1000.0f - 1.0f;
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        y[i] = (float)(s % 2001) / 1000.0f - 1.0f;
    }
    double total = 0;
    for (int rep = 0; rep < REPS; rep++) {
        total += dot(x, y);
        x[rep % N] += 0.001f;  // a different input every time: nothing to hoist
    }
    printf("dot: %.6f\n", total);
    return 0;
}
