// GHSA-2r75-cxrj-cmph: `path_open` with O_TRUNC through a directory descriptor whose rights
// lack PATH_FILESTAT_SET_SIZE (and whose inheriting rights lack FD_WRITE/FD_FILESTAT_SET_SIZE)
// must not truncate the file. The runner preopens the scratch tree as fd 3 (`/`); see
// `sandbox_tree` in tests/harness/src/bin/wasi.rs. Each line is `name: OK` or `name: refused`,
// then the file's contents; the expected output is adv-trunc.expected.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define ROOT 3
// The preopen's own rights and every right it may hand down (fd_fdstat_get at start).
static __wasi_rights_t DIR, ALL;
#define NO_TRUNC_DIR (DIR & ~(__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE))
#define NO_TRUNC_FILE (ALL & ~(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE))

static void show(const char *name, __wasi_errno_t e) {
    printf("%s: %s\n", name, e == 0 ? "OK" : "refused");
}

static void contents(const char *path) {
    __wasi_fd_t fd;
    char buf[64] = {0};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_path_open(ROOT, 0, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e == 0) {
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        (void)__wasi_fd_read(fd, &iov, 1, &n);
        (void)__wasi_fd_close(fd);
    }
    printf("%s holds \"%.*s\"\n", path, (int)(n && buf[n - 1] == '\n' ? n - 1 : n), buf);
}

int main(void) {
    __wasi_fd_t dir, fd;
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(ROOT, &st) != 0) return 1;
    DIR = st.fs_rights_base;
    ALL = st.fs_rights_inheriting;
    // A directory descriptor without the truncate right, its inheriting rights without write.
    __wasi_errno_t e = __wasi_path_open(ROOT, 0, ".", __WASI_OFLAGS_DIRECTORY, NO_TRUNC_DIR,
                                        NO_TRUNC_FILE, 0, &dir);
    show("open . without PATH_FILESTAT_SET_SIZE", e);
    e = __wasi_path_open(dir, 0, "file.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    show("open file.txt O_TRUNC (read rights)", e);
    if (e == 0) (void)__wasi_fd_close(fd);
    e = __wasi_path_open(dir, 0, "file.txt", __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd);
    show("open file.txt O_TRUNC (no rights)", e);
    if (e == 0) (void)__wasi_fd_close(fd);
    e = __wasi_path_open(dir, 0, "sub/inner.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0,
                         0, &fd);
    show("open sub/inner.txt O_TRUNC (read rights)", e);
    if (e == 0) (void)__wasi_fd_close(fd);
    e = __wasi_path_open(dir, 0, "link-file", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0,
                         &fd);
    show("open link-file O_TRUNC (read rights)", e);
    if (e == 0) (void)__wasi_fd_close(fd);
    contents("file.txt");
    contents("sub/inner.txt");

    // The same right dropped on the preopen itself with fd_fdstat_set_rights.
    e = __wasi_path_open(ROOT, 0, ".", __WASI_OFLAGS_DIRECTORY, DIR, ALL, 0, &dir);
    show("open . with every right", e);
    e = __wasi_path_open(dir, 0, "t.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    show("create t.txt", e);
    if (e == 0) {
        __wasi_ciovec_t iov = {(const uint8_t *)"keep\n", 5};
        __wasi_size_t n;
        (void)__wasi_fd_write(fd, &iov, 1, &n);
        (void)__wasi_fd_close(fd);
    }
    e = __wasi_fd_fdstat_set_rights(dir, NO_TRUNC_DIR, NO_TRUNC_FILE);
    show("fd_fdstat_set_rights drops PATH_FILESTAT_SET_SIZE", e);
    e = __wasi_path_open(dir, 0, "t.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    show("open t.txt O_TRUNC after dropping the right", e);
    if (e == 0) (void)__wasi_fd_close(fd);
    contents("t.txt");
    // With the right, truncation works.
    e = __wasi_path_open(ROOT, 0, "t.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    show("open t.txt O_TRUNC through the preopen", e);
    if (e == 0) (void)__wasi_fd_close(fd);
    contents("t.txt");
    return 0;
}
