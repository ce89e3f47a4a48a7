// hash: FNV-1a and a murmur-style 64-bit mix over a buffer, many passes.
#include <stdint.h>
#include <stdio.h>
#define LEN (1 << 20)
static uint8_t buf[LEN];
int main(void) {
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < LEN; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; buf[i] = (uint8_t)x; }
    uint64_t acc = 0;
    for (int rep = 0; rep < 120; rep++) {
        uint32_t h = 2166136261u;
        for (int i = 0; i < LEN; i++) { h ^= buf[i]; h *= 16777619u; }
        uint64_t m = (uint64_t)rep;
        const uint64_t *w = (const uint64_t *)buf;
        for (int i = 0; i < LEN / 8; i++) {
            uint64_t k = w[i] * 0xff51afd7ed558ccdull;
            k ^= k >> 33; m ^= k; m = m * 0xc4ceb9fe1a85ec53ull + 0x52dce729;
        }
        acc += h ^ m;
        buf[rep] ^= (uint8_t)acc;
    }
    printf("%llu\n", (unsigned long long)acc);
    return 0;
}
