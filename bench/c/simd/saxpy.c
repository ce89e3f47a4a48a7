// saxpy: y = a*x + y over f32 arrays of 8192 elements, with a different a each pass, then a
// serial sum of y. Element-wise, so every vector width gives the same bits.
#include <stdint.h>
#include <stdio.h>
#define N 8192
#define REPS 480000
static float x[N], y[N];

__attribute__((noinline)) static void saxpy(float a, const float *restrict xs, float *restrict ys) {
    for (int i = 0; i < N; i++) ys[i] = a * xs[i] + ys[i];
}

int main(void) {
    uint32_t s = 88675123u;
    for (int i = 0; i < N; i++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        x[i] = (float)(s % 2001) / 1000.0f - 1.0f;
        y[i] = (float)(i % 100) / 100.0f;
    }
    for (int rep = 0; rep < REPS; rep++) saxpy((float)(rep % 7 - 3) * 0.001f, x, y);
    double sum = 0;
    for (int i = 0; i < N; i++) sum += y[i];
    printf("saxpy: %.6f %.6f %.6f\n", sum, y[0], y[N - 1]);
    return 0;
}
