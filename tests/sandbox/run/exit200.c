// `wasmaot run` check (tests/harness/src/bin/wasi.rs, run/exit-126-or-more): proc_exit with a
// status wasmtime refuses (126 or more). Under `wasmaot run` as under `wasmtime run`: an error,
// status 1; a compiled executable exits with 200.
#include <stdio.h>
#include <wasi/api.h>

int main(void) {
    printf("exiting with 200\n");
    fflush(stdout);
    __wasi_proc_exit(200);
}
