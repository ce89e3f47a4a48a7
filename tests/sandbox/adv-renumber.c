// GHSA-3p27-qvp9-27qf: `fd_renumber` must neither leak host descriptors nor leave two guest
// fds sharing one host fd wrongly: onto itself, onto a preopen, from and to stdio, from or to
// a closed fd. The runner preopens the scratch tree as fd 3 (`/`); see `sandbox_tree` in
// tests/harness/src/bin/wasi.rs. Expected output: adv-renumber.expected.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define ROOT 3

static const char *res(__wasi_errno_t e) {
    return e == 0 ? "OK" : e == __WASI_ERRNO_BADF ? "EBADF" : "refused";
}

static __wasi_fd_t open_file(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
                             __wasi_rights_t rights) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(dir, 0, path, oflags, rights, 0, 0, &fd);
    return e == 0 ? fd : (__wasi_fd_t)-1;
}

// What fd holds: the first line read from offset 0, or the error.
static void show_read(const char *what, __wasi_fd_t fd) {
    char buf[32] = {0};
    __wasi_size_t n = 0;
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_errno_t e = __wasi_fd_pread(fd, &iov, 1, 0, &n);
    if (e == 0) {
        char *nl = strchr(buf, '\n');
        if (nl) *nl = 0;
        printf("%s: read \"%s\"\n", what, buf);
    } else {
        printf("%s: %s\n", what, res(e));
    }
}

static void show_type(const char *what, __wasi_fd_t fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    if (e != 0) {
        printf("%s: %s\n", what, res(e));
        return;
    }
    const char *t = st.fs_filetype == __WASI_FILETYPE_DIRECTORY      ? "directory"
                    : st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE ? "file"
                                                                     : "other";
    printf("%s: %s\n", what, t);
}

int main(void) {
    const __wasi_rights_t R = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK;
    // A second handle on the root, so the preopen itself can be renumbered over.
    __wasi_fd_t root = (__wasi_fd_t)-1;
    __wasi_fdstat_t st;
    (void)__wasi_fd_fdstat_get(ROOT, &st);
    if (__wasi_path_open(ROOT, 0, ".", __WASI_OFLAGS_DIRECTORY, st.fs_rights_base,
                         st.fs_rights_inheriting, 0, &root) != 0)
        return 1;

    // Onto itself: a no-op, the fd stays usable.
    __wasi_fd_t a = open_file(root, "file.txt", 0, R);
    printf("renumber a->a: %s\n", res(__wasi_fd_renumber(a, a)));
    show_read("a after a->a", a);

    // Two fds on two host fds: renumbering one over the other closes the target's host fd
    // only; closing the result leaves no other guest fd behind.
    __wasi_fd_t b = open_file(root, "sub/inner.txt", 0, R);
    printf("renumber a->b: %s\n", res(__wasi_fd_renumber(a, b)));
    show_read("b after a->b", b);
    show_read("a after a->b", a);
    printf("close b: %s\n", res(__wasi_fd_close(b)));
    show_read("b after close", b);
    show_read("a after close b", a);

    // From or to a closed fd: EBADF, nothing changes.
    __wasi_fd_t c = open_file(root, "file.txt", 0, R);
    __wasi_fd_t d = open_file(root, "sub/inner.txt", 0, R);
    (void)__wasi_fd_close(d);
    printf("renumber closed->c: %s\n", res(__wasi_fd_renumber(d, c)));
    show_read("c after closed->c", c);
    printf("renumber c->closed: %s\n", res(__wasi_fd_renumber(c, d)));
    show_read("c after c->closed", c);
    show_read("closed after c->closed", d);
    printf("renumber 1000->c: %s\n", res(__wasi_fd_renumber(1000, c)));
    printf("renumber c->1000: %s\n", res(__wasi_fd_renumber(c, 1000)));
    show_read("c still", c);

    // Onto the preopen: fd 3 becomes the file (no longer a directory, no longer a preopen);
    // the other handle on the root still works.
    printf("renumber c->3: %s\n", res(__wasi_fd_renumber(c, ROOT)));
    show_type("fd 3", ROOT);
    show_read("fd 3", ROOT);
    __wasi_prestat_t pre;
    printf("prestat 3: %s\n", res(__wasi_fd_prestat_get(ROOT, &pre)));
    show_read("c after c->3", c);
    show_type("root handle", root);

    // To stdio: fd 2 becomes a file written by the guest; from stdio: fd 0 moves away.
    __wasi_fd_t w = open_file(root, "err.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                              __WASI_RIGHTS_FD_WRITE);
    printf("renumber w->2: %s\n", res(__wasi_fd_renumber(w, 2)));
    __wasi_ciovec_t iov = {(const uint8_t *)"to err.txt\n", 11};
    __wasi_size_t n;
    printf("write 2: %s\n", res(__wasi_fd_write(2, &iov, 1, &n)));
    printf("write w: %s\n", res(__wasi_fd_write(w, &iov, 1, &n)));
    __wasi_fd_t e = open_file(root, "err.txt", 0, R);
    show_read("err.txt", e);
    __wasi_fd_t in = open_file(root, "file.txt", 0, R);
    printf("renumber 0->in: %s\n", res(__wasi_fd_renumber(0, in)));
    show_type("fd 0", 0);
    show_type("in (was stdin)", in);

    // No leak: 30000 opens (more than the host fd limit) renumbered onto one fd never run out of host fds.
    __wasi_fd_t t = open_file(root, "file.txt", 0, R);
    int failed = 0;
    for (int i = 0; i < 30000 && !failed; i++) {
        __wasi_fd_t x = open_file(root, "file.txt", 0, R);
        if (x == (__wasi_fd_t)-1 || __wasi_fd_renumber(x, t) != 0) failed = i + 1;
    }
    printf("30000 open+renumber: %s\n", failed ? "ran out" : "OK");
    show_read("t", t);
    return 0;
}
