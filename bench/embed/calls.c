/* Nanoseconds per call across the embedding boundary, against a plain C call: an export
 * called from C through its typed function (`calls_call_add`) and through the generic
 * `wasmaot_instance_call`, a host function called from wasm, a wasm-to-wasm call, and a C call
 * through a function pointer. Usage: calls [N]. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "calls.h"

__attribute__((noinline)) int32_t wasmaot_import_env__host_add(wasmaot_caller *c, int32_t a, int32_t b) {
    return a + b;
}

__attribute__((noinline)) static int32_t c_add(int32_t a, int32_t b) { return a + b; }
static int32_t (*volatile c_add_ptr)(int32_t, int32_t) = c_add;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    wasmaot_error *err = NULL;
    wasmaot_instance *inst = calls_new(NULL, &err);
    if (!inst) { fprintf(stderr, "%s\n", wasmaot_error_message(err)); return 1; }
    int32_t r = 0, acc = 0;

    double t = now();
    for (long i = 0; i < n; i++) { calls_call_add(inst, acc, 1, &r, &err); acc = r; }
    double typed = (now() - t) / n * 1e9;

    wasmaot_val v[2];
    t = now();
    for (long i = 0; i < n; i++) { v[0].i32 = acc; v[1].i32 = 1; wasmaot_instance_call(inst, "add", v, 2, &err); acc = v[0].i32; }
    double generic = (now() - t) / n * 1e9;

    t = now();
    calls_call_host_loop(inst, (int32_t)n, &r, &err);
    double host = (now() - t) / n * 1e9;

    t = now();
    calls_call_wasm_loop(inst, (int32_t)n, &r, &err);
    double wasm = (now() - t) / n * 1e9;

    t = now();
    for (long i = 0; i < n; i++) acc = c_add_ptr(acc, 1);
    double plain = (now() - t) / n * 1e9;

    printf("| call | ns/call |\n|---|---:|\n");
    printf("| export from C, typed (`calls_call_add`) | %.1f |\n", typed);
    printf("| export from C, by name (`wasmaot_instance_call`) | %.1f |\n", generic);
    printf("| host function from wasm (loop iteration) | %.1f |\n", host);
    printf("| wasm function from wasm (loop iteration) | %.1f |\n", wasm);
    printf("| plain C call through a function pointer | %.1f |\n", plain);
    wasmaot_instance_free(inst);
    return acc == 42 ? 2 : 0;
}
