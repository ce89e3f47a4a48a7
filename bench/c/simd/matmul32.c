// matmul32: 64x64 f32 matrix multiply in i-k-j order (the inner loop is a saxpy over a row,
// so each element's sum keeps its order and every vector width gives the same bits), repeated.
#include <stdint.h>
#include <stdio.h>
#define N 64
#define REPS 15000
static float a[N][N], b[N][N], c[N][N];

__attribute__((noinline)) static void matmul(float (*restrict r)[N], const float (*restrict p)[N],
                                             const float (*restrict q)[N]) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) r[i][j] = 0;
        for (int k = 0; k < N; k++) {
            float pik = p[i][k];
            for (int j = 0; j < N; j++) r[i][j] += pik * q[k][j];
        }
    }
}

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (float)((i * 31 + j * 17) % 101) / 101.0f - 0.5f;
            b[i][j] = (float)((i * 13 + j * 7) % 97) / 97.0f - 0.5f;
        }
    double sum = 0;
    for (int rep = 0; rep < REPS; rep++) {
        matmul(c, a, b);
        sum += c[rep % N][(rep * 7) % N];
        a[rep % N][(rep * 3) % N] += 0.0001f;
    }
    printf("matmul32: %.6f\n", sum);
    return 0;
}
