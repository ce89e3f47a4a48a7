/* exceptions: wasm exceptions crossing host frames (see exc.wat). Two instances A and B of
 * one module; A's `outer` calls the host, which calls B's `inner`. Prints what it checked;
 * exit status 1 on any difference. */
#include <stdio.h>
#include <string.h>
#include "exc.h"

extern wasmaot_instance *exc_peer;
static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } } while (0)

static int32_t call(int (*f)(wasmaot_instance *, int32_t, int32_t *, wasmaot_error **),
                    wasmaot_instance *inst, int32_t x, int *kind) {
    int32_t r = -12345;
    wasmaot_error *err = NULL;
    *kind = 0;
    if (f(inst, x, &r, &err) != 0) {
        *kind = wasmaot_error_kind(err);
        if (*kind == WASMAOT_ERROR_EXCEPTION)
            CHECK(strstr(wasmaot_error_message(err), "thrown Wasm exception") != NULL, "message %s",
                  wasmaot_error_message(err));
        wasmaot_error_free(err);
    }
    return r;
}

int main(void) {
    wasmaot_error *err = NULL;
    wasmaot_instance *a = exc_new(NULL, &err);
    wasmaot_instance *b = exc_new(NULL, &err);
    if (!a || !b) { printf("FAIL: new\n"); return 1; }
    exc_peer = b;
    int kind;
    int32_t r;

    r = call(exc_call_outer, a, 0, &kind);
    CHECK(kind == 0 && r == -1, "outer(0) = %d kind %d", r, kind);
    printf("no exception: %d\n", r);
    r = call(exc_call_outer, a, 3, &kind);
    CHECK(kind == 0 && r == 2000, "outer(3) = %d kind %d", r, kind);
    printf("thrown on through the host, caught by catch_all: %d\n", r);
    r = call(exc_call_outer, a, 4, &kind);
    CHECK(kind == 0 && r == 1000, "outer(4) = %d kind %d", r, kind);
    printf("swallowed by the host: %d\n", r);
    r = call(exc_call_own, a, 2, &kind);
    CHECK(kind == 0 && r == 27, "own(2) = %d kind %d", r, kind);
    printf("own tag after a host call: %d\n", r);

    r = call(exc_call_inner, b, 5, &kind);
    CHECK(kind == WASMAOT_ERROR_EXCEPTION, "inner(5) kind %d", kind);
    printf("uncaught from the host: kind %d\n", kind);
    CHECK(wasmaot_instance_usable(b), "B unusable after an exception");
    r = call(exc_call_inner, b, 0, &kind);
    CHECK(kind == 0 && r == -1, "inner(0) after the exception = %d kind %d", r, kind);
    printf("still usable: %d\n", r);
    r = call(exc_call_escape, a, 9, &kind);
    CHECK(kind == WASMAOT_ERROR_EXCEPTION, "escape(9) kind %d", kind);
    printf("rethrown by throw_ref to the host: kind %d\n", kind);

    /* Many round trips: nothing leaks into later calls. */
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        r = call(exc_call_outer, a, i % 3 == 0 ? 0 : (i % 2 ? 3 : 4), &kind);
        int32_t want = i % 3 == 0 ? -1 : (i % 2 ? 2000 : 1000);
        if (kind != 0 || r != want) bad++;
    }
    CHECK(bad == 0, "%d of 20000 round trips wrong", bad);
    printf("20000 round trips: %d wrong\n", bad);

    wasmaot_instance_free(a);
    wasmaot_instance_free(b);
    printf(failures ? "FAILED\n" : "ok\n");
    return failures ? 1 : 0;
}
