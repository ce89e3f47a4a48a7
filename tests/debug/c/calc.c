// The second file of the debug/c-gdb test program (see main.c). Line numbers matter:
// `int r = x * x;` is line 8 and the `abort()` that traps line 15.
#include <stdlib.h>


int square(int x) {
    // the breakpoint line follows
    int r = x * x;
    return r;
}

int check_positive(int x) {
    if (x < 0) {
        // the trap line follows
        abort();
    }
    return x;
}
