// proc_raise(SIGTERM): wasmaot sends the signal to the process (preview1's "similar to raise
// in POSIX"), so the run ends by SIGTERM; wasmtime does not implement proc_raise (it traps).
#include <stdint.h>
#include <stdio.h>
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t w_proc_raise(int32_t sig);

int main(void) {
    printf("raise(0): %d\n", w_proc_raise(0));
    printf("raise(99): %d\n", w_proc_raise(99));
    fflush(stdout);
    w_proc_raise(15);
    printf("still running\n");
    return 0;
}
