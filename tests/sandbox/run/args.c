// `wasmaot run` checks (tests/harness/src/bin/wasi.rs, group `run/`): prints argv, the
// environment, the preopens and `data.txt` read through a relative path, then exits with the
// status given as argv[1].
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

extern char **environ;

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    for (int fd = 3;; fd++) {
        __wasi_prestat_t p;
        if (__wasi_fd_prestat_get(fd, &p) != 0) break;
        char name[256] = {0};
        __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, p.u.dir.pr_name_len < 255 ? p.u.dir.pr_name_len : 255);
        printf("preopen %d %s\n", fd, name);
    }
    FILE *f = fopen("data.txt", "r");
    char buf[64] = {0};
    if (f && fgets(buf, sizeof buf, f)) printf("data.txt: %s", buf);
    else printf("data.txt: not readable\n");
    fflush(stdout);
    return argc > 1 ? atoi(argv[1]) : 0;
}
