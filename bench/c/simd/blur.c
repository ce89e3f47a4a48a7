// blur: a 3x3 [1 2 1]x[1 2 1]/16 blur of a 512x512 8-bit grey image (separable, with a 16-bit
// row buffer), ping-ponged between two images, then a checksum of the result.
#include <stdint.h>
#include <stdio.h>
#define W 512
#define H 512
#define REPS 8000
static uint8_t img[2][H][W];
static uint16_t tmp[H][W];

__attribute__((noinline)) static void blur(uint8_t (*restrict dst)[W], const uint8_t (*restrict src)[W]) {
    for (int y = 0; y < H; y++)
        for (int x = 1; x < W - 1; x++)
            tmp[y][x] = (uint16_t)(src[y][x - 1] + 2 * src[y][x] + src[y][x + 1]);
    for (int y = 1; y < H - 1; y++)
        for (int x = 1; x < W - 1; x++)
            dst[y][x] = (uint8_t)((tmp[y - 1][x] + 2 * tmp[y][x] + tmp[y + 1][x] + 8) >> 4);
}

int main(void) {
    uint32_t s = 1234567u;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            s ^= s << 13; s ^= s >> 17; s ^= s << 5;
            img[0][y][x] = img[1][y][x] = (uint8_t)((x ^ y) + (s & 63));
        }
    for (int rep = 0; rep < REPS; rep++) {
        blur(img[(rep + 1) & 1], img[rep & 1]);
        img[(rep + 1) & 1][rep % H][rep % W] = (uint8_t)rep;  // keep it from settling
    }
    uint32_t h = 2166136261u;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) h = (h ^ img[REPS & 1][y][x]) * 16777619u;
    printf("blur: %08x\n", h);
    return 0;
}
