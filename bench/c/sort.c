// sort: quicksort (insertion sort for small ranges) of pseudo-random 32-bit keys, repeated.
#include <stdint.h>
#include <stdio.h>
#define N 1000000
static uint32_t v[N];
static void isort(uint32_t *a, int n) {
    for (int i = 1; i < n; i++) {
        uint32_t x = a[i]; int j = i - 1;
        while (j >= 0 && a[j] > x) { a[j + 1] = a[j]; j--; }
        a[j + 1] = x;
    }
}
static void qsort_u32(uint32_t *a, int n) {
    while (n > 16) {
        uint32_t p = a[n / 2];
        int i = 0, j = n - 1;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j + 1 < n - i) { qsort_u32(a, j + 1); a += i; n -= i; }
        else { qsort_u32(a + i, n - i); n = j + 1; }
    }
    isort(a, n);
}
int main(void) {
    uint32_t x = 2463534242u; uint64_t sum = 0;
    for (int rep = 0; rep < 8; rep++) {
        for (int i = 0; i < N; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; v[i] = x; }
        qsort_u32(v, N);
        for (int i = 1; i < N; i++) if (v[i - 1] > v[i]) { printf("unsorted\n"); return 1; }
        sum += v[N / 2] + v[rep];
    }
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
