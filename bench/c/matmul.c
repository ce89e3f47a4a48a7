// matmul: dense double-precision matrix multiply (i-k-j order), repeated.
#include <stdio.h>
#define N 256
static double a[N][N], b[N][N], c[N][N];
int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)((i * 31 + j * 17) % 101) / 101.0;
            b[i][j] = (double)((i * 13 + j * 7) % 97) / 97.0;
        }
    double sum = 0;
    for (int rep = 0; rep < 12; rep++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) c[i][j] = 0;
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double aik = a[i][k] + rep;
                for (int j = 0; j < N; j++) c[i][j] += aik * b[k][j];
            }
        sum += c[rep][N - 1 - rep];
    }
    printf("%.6f\n", sum);
    return 0;
}
