// The C program of the debug/c-gdb test: built with `zig cc -g -target wasm32-wasi` together
// with calc.c. The test names lines of both files: keep line numbers stable when editing
// (calc.c's `int r = x * x;` is line 8, its `abort()` line 15).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int square(int x);
int check_positive(int x);

static int accumulate(int n) {
    int total = 0;
    for (int i = 1; i <= n; i++) {
        total += square(i);
    }
    return total;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10;
    if (argc > 2 && strcmp(argv[2], "trap") == 0) {
        printf("checked: %d\n", check_positive(-n));
    }
    printf("sum of squares 1..%d = %d\n", n, accumulate(n));
    return 0;
}
