/* isolation: two instances of one module (A1, A2) and one of another (B) in one process, used
 * from two threads at once: each has its own memory and WASI state (environment, stdout); a
 * trap in one leaves the others working; proc_exit comes back to the host. Then both threads
 * create, trap and free instances concurrently. Prints what it checked; exit status 1 on any
 * difference. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "state.h"
#include "other.h"

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } } while (0)

static wasmaot_instance *a1, *a2, *b;
/* Loop counts are divided by this (`host N`; under an emulator the full counts are slow). */
static int scale = 1;

static int32_t bump(wasmaot_instance *inst, int (*f)(wasmaot_instance *, int32_t *, wasmaot_error **)) {
    int32_t r = -1;
    wasmaot_error *err = NULL;
    if (f(inst, &r, &err)) { printf("FAIL: bump: %s\n", wasmaot_error_message(err)); wasmaot_error_free(err); failures++; }
    return r;
}

static void *thread1(void *arg) {
    for (int i = 0; i < 100000 / scale; i++) bump(a1, state_call_bump);
    for (int i = 0; i < 50000 / scale; i++) bump(b, other_call_bump);
    return NULL;
}

static void *thread2(void *arg) {
    for (int i = 0; i < 70000 / scale; i++) bump(a2, state_call_bump);
    return NULL;
}

/* Instances created, trapped and freed in a loop, on both threads at once. */
static void *churn(void *arg) {
    long traps = 0;
    for (int i = 0; i < 200 / scale; i++) {
        wasmaot_error *err = NULL;
        wasmaot_instance *inst = state_new(NULL, &err);
        if (!inst) { failures++; continue; }
        bump(inst, state_call_bump);
        if (state_call_crash(inst, &err) != 0 && wasmaot_error_kind(err) == WASMAOT_ERROR_TRAP) traps++;
        wasmaot_error_free(err);
        wasmaot_instance_free(inst);
    }
    return (void *)traps;
}

int main(int argc, char **argv) {
    if (argc > 1) scale = atoi(argv[1]) > 0 ? atoi(argv[1]) : 1;
    int pipefd[2];
    if (pipe(pipefd)) return 2;
    wasmaot_error *err = NULL;

    wasmaot_config *c1 = wasmaot_config_new();
    wasmaot_config_env(c1, "X", "1");
    wasmaot_config_env(c1, "Y", "2");
    wasmaot_config_stdio(c1, -1, pipefd[1], -1);
    wasmaot_config *c2 = wasmaot_config_new();
    wasmaot_config_env(c2, "X", "1");
    a1 = state_new(c1, &err);
    a2 = state_new(c2, &err);
    b = other_new(NULL, &err);
    wasmaot_config_free(c1);
    wasmaot_config_free(c2);
    close(pipefd[1]);
    if (!a1 || !a2 || !b) { printf("FAIL: instantiation: %s\n", wasmaot_error_message(err)); return 1; }

    pthread_t t1, t2;
    pthread_create(&t1, NULL, thread1, NULL);
    pthread_create(&t2, NULL, thread2, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    int32_t n1 = bump(a1, state_call_bump), n2 = bump(a2, state_call_bump), nb = bump(b, other_call_bump);
    CHECK(n1 == 100000 / scale + 1 && n2 == 70000 / scale + 1 && nb == 50000 / scale + 1, "counters %d %d %d", n1, n2, nb);
    printf("counters after two threads: A1, A2 and B each counted only their own calls\n");

    int32_t e1, e2;
    state_call_env_count(a1, &e1, &err);
    state_call_env_count(a2, &e2, &err);
    CHECK(e1 == 2 && e2 == 1, "environments %d %d", e1, e2);
    printf("environment entries: A1 %d, A2 %d\n", e1, e2);

    int32_t w1, w2;
    state_call_say(a1, 1, &w1, &err);
    state_call_say(a2, 1, &w2, &err);
    char buf[16] = {0};
    ssize_t got = read(pipefd[0], buf, sizeof buf - 1);
    CHECK(w1 == 0 && w2 == 8 && got == 2 && !strcmp(buf, "A\n"), "stdout: errno %d %d, pipe %zd", w1, w2, got);
    printf("stdout: A1 wrote to its pipe (errno %d), A2 has none (errno %d)\n", w1, w2);

    double prod;
    CHECK(other_call_mul(b, 6, 7.5, &prod, &err) == 0 && prod == 45.0, "mul %f", prod);
    int32_t tag = 0;
    CHECK(other_call_tag(b, &tag, &err) == 0 && tag == 0xB, "tag %d", tag);
    printf("B's host function, linked into its library: %#x\n", tag);

    CHECK(state_call_crash(a1, &err) != 0, "crash did not trap");
    printf("A1 trapped: kind %d, %s\n", wasmaot_error_kind(err), wasmaot_error_trap_message(err));
    printf("%s\n", wasmaot_error_message(err));
    wasmaot_error_free(err);
    err = NULL;
    CHECK(state_call_bump(a1, &n1, &err) != 0 && wasmaot_error_kind(err) == WASMAOT_ERROR_USAGE, "A1 usable after a trap");
    printf("A1 after its trap: %s\n", wasmaot_error_message(err));
    wasmaot_error_free(err);
    err = NULL;
    n2 = bump(a2, state_call_bump);
    nb = bump(b, other_call_bump);
    CHECK(n2 == 70000 / scale + 2 && nb == 50000 / scale + 2, "after the trap %d %d", n2, nb);
    printf("after A1's trap: A2 %d more, B %d more\n", n2 - 70000 / scale, nb - 50000 / scale);

    CHECK(state_call_quit(a2, 5, &err) != 0 && wasmaot_error_kind(err) == WASMAOT_ERROR_EXIT, "quit");
    printf("A2 called proc_exit: status %d (%s)\n", wasmaot_error_exit_status(err), wasmaot_error_message(err));
    wasmaot_error_free(err);
    nb = bump(b, other_call_bump);
    CHECK(nb == 50000 / scale + 3, "B after the exit %d", nb);
    printf("B after A2's exit: %d more, A2 usable: %d\n", nb - 50000 / scale, wasmaot_instance_usable(a2));

    pthread_create(&t1, NULL, churn, NULL);
    pthread_create(&t2, NULL, churn, NULL);
    void *r1, *r2;
    pthread_join(t1, &r1);
    pthread_join(t2, &r2);
    CHECK((long)r1 == 200 / scale && (long)r2 == 200 / scale, "churn traps %ld %ld", (long)r1, (long)r2);
    printf("concurrent instantiate/trap/free: every instance trapped\n");

    wasmaot_instance_free(a1);
    wasmaot_instance_free(a2);
    wasmaot_instance_free(b);
    printf(failures ? "FAILED\n" : "ok\n");
    return failures ? 1 : 0;
}
