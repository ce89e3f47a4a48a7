/* A C host for the reactor: `_initialize` once, then thousands of calls of each export, with
 * strings passed both ways through the guest's memory. Prints one summary line per export;
 * any wrong result ends the program with status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reactor.h"

#define CALLS 10000

int32_t wasmaot_import_env__host_scale(wasmaot_caller *caller, int32_t x) { return x * 10; }

static void die(const char *what, wasmaot_error *err) {
    printf("%s failed: %s\n", what, err ? wasmaot_error_message(err) : "?");
    exit(1);
}

int main(void) {
    wasmaot_error *err = NULL;
    wasmaot_instance *inst = reactor_new(NULL, &err);
    if (!inst) die("reactor_new", err);
    if (reactor_initialize(inst, &err)) die("reactor_initialize", err);

    int64_t sum = 0;
    for (int i = 0; i < CALLS; i++) {
        int32_t r;
        if (reactor_call_add(inst, i, 2 * i, &r, &err)) die("add", err);
        if (r != 3 * i) { printf("add(%d, %d) = %d\n", i, 2 * i, r); return 1; }
        sum += r;
    }
    printf("add: %d calls, sum %lld\n", CALLS, (long long)sum);

    char name[32], want[64];
    for (int i = 1; i <= CALLS; i++) {
        int len = snprintf(name, sizeof name, "host %d", i);
        int32_t ptr;
        if (reactor_call_alloc(inst, len, &ptr, &err)) die("alloc", err);
        size_t size;
        uint8_t *mem = wasmaot_instance_memory(inst, NULL, &size);
        if (!mem || (size_t)ptr + len > size) { printf("alloc gave %d\n", ptr); return 1; }
        memcpy(mem + ptr, name, len);
        int64_t packed;
        if (reactor_call_greet(inst, ptr, len, &packed, &err)) die("greet", err);
        if (reactor_call_free(inst, ptr, &err)) die("free", err);
        mem = wasmaot_instance_memory(inst, NULL, &size); /* the memory may have grown */
        uint32_t gptr = (uint32_t)(packed >> 32), glen = (uint32_t)packed;
        snprintf(want, sizeof want, "Hello, %s! (#%d)", name, i);
        if ((size_t)gptr + glen > size || glen != strlen(want) || memcmp(mem + gptr, want, glen)) {
            printf("greet %d: got %.*s\n", i, (int)glen, (const char *)mem + gptr);
            return 1;
        }
        if (i == CALLS) printf("greet: %d calls, last \"%.*s\"\n", CALLS, (int)glen, (const char *)mem + gptr);
    }

    for (int i = 0; i < CALLS; i++) {
        int32_t r;
        if (reactor_call_scaled(inst, i, &r, &err)) die("scaled", err);
        if (r != i * 10 + 1) { printf("scaled(%d) = %d\n", i, r); return 1; }
    }
    printf("scaled: %d calls through the host function\n", CALLS);
    wasmaot_instance_free(inst);
    return 0;
}
