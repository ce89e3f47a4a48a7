/* `wasmaot exc.wat --emit staticlib --link exc_host.c`: the host function `host.call_back`
 * (through the generic API: this file is compiled before `exc.h` exists).
 * It calls `inner` of the other instance (`exc_peer`, set by host.c) and, for an odd argument,
 * throws the exception that comes back on into its wasm caller; for an even one it returns
 * 1000 (the exception is swallowed); `inner`'s own result otherwise. */
#include <stdio.h>
#include "wasmaot.h"

wasmaot_instance *exc_peer;

int32_t wasmaot_import_host__call_back(wasmaot_caller *caller, int32_t x) {
    wasmaot_val v[1];
    v[0].i32 = x;
    wasmaot_error *err = NULL;
    if (wasmaot_instance_call(exc_peer, "inner", v, 1, &err) == 0) return v[0].i32;
    int kind = wasmaot_error_kind(err);
    if (kind != WASMAOT_ERROR_EXCEPTION) {
        printf("call_back: unexpected error kind %d: %s\n", kind, wasmaot_error_message(err));
        wasmaot_error_free(err);
        return -99;
    }
    int32_t result = 1000;
    if (x % 2 == 1 && wasmaot_caller_throw(caller, err) == 0) result = -77; /* ignored */
    wasmaot_error_free(err);
    return result;
}
