// sad: motion search as in a video encoder: the sum of absolute differences of every 16x16
// block of a 256x256 8-bit frame against the previous frame at 9 offsets; integer throughout.
// gcc turns the C loop into psadbw; wasm has no such instruction and clang widens every byte
// to 32 bits, so the wasm build uses <wasm_simd128.h>: |a-b| as max_u - min_u on bytes, then
// pairwise widening adds (16 rows of 16 bytes fit in u16 lanes: at most 16*2*255).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif
#define W 256
#define H 256
#define REPS 16000
static uint8_t cur[H][W], prev[H + 8][W + 8];

#ifdef __wasm_simd128__
__attribute__((noinline)) static uint32_t sad16(const uint8_t *a, int astride, const uint8_t *b, int bstride) {
    v128_t acc = wasm_i16x8_splat(0);
    for (int y = 0; y < 16; y++) {
        v128_t va = wasm_v128_load(a + y * astride), vb = wasm_v128_load(b + y * bstride);
        v128_t d = wasm_i8x16_sub(wasm_u8x16_max(va, vb), wasm_u8x16_min(va, vb));
        acc = wasm_i16x8_add(acc, wasm_u16x8_extadd_pairwise_u8x16(d));
    }
    v128_t s = wasm_u32x4_extadd_pairwise_u16x8(acc);
    return wasm_u32x4_extract_lane(s, 0) + wasm_u32x4_extract_lane(s, 1) + wasm_u32x4_extract_lane(s, 2) +
           wasm_u32x4_extract_lane(s, 3);
}
#else
__attribute__((noinline)) static uint32_t sad16(const uint8_t *a, int astride, const uint8_t *b, int bstride) {
    uint32_t s = 0;
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 16; x++) s += (uint32_t)abs(a[y * astride + x] - b[y * bstride + x]);
    return s;
}
#endif

int main(void) {
    uint32_t s = 362436069u;
    for (int y = 0; y < H + 8; y++)
        for (int x = 0; x < W + 8; x++) {
            s ^= s << 13; s ^= s >> 17; s ^= s << 5;
            prev[y][x] = (uint8_t)(x * 3 + y + (s & 15));
        }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) cur[y][x] = prev[y + 2][x + 3];
    uint64_t best_total = 0, checksum = 0;
    for (int rep = 0; rep < REPS; rep++) {
        for (int by = 0; by < H; by += 16)
            for (int bx = 0; bx < W; bx += 16) {
                uint32_t best = UINT32_MAX;
                for (int dy = 0; dy <= 8; dy += 4)
                    for (int dx = 0; dx <= 8; dx += 4) {
                        uint32_t v = sad16(&cur[by][bx], W, &prev[by + dy][bx + dx], W + 8);
                        checksum += v;
                        if (v < best) best = v;
                    }
                best_total += best;
            }
        cur[rep % H][(rep * 5) % W] ^= 0x55;
    }
    printf("sad: %llu %llu\n", (unsigned long long)best_total, (unsigned long long)checksum);
    return 0;
}
