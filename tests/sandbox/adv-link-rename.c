// GHSA-4ch3-9j33-3pmj: `path_link` and `path_rename` must check the TARGET directory's
// PATH_LINK_TARGET / PATH_RENAME_TARGET rights (and the source directory's *_SOURCE rights),
// never one directory's rights for the other. Rights are dropped with fd_fdstat_set_rights.
// The runner preopens the scratch tree as fd 3 (`/`); see `sandbox_tree` in
// tests/harness/src/bin/wasi.rs. Expected output: adv-link-rename.expected.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define ROOT 3

static const char *res(__wasi_errno_t e) { return e == 0 ? "OK" : "refused"; }

static void exists(const char *path) {
    __wasi_filestat_t st;
    printf("  %s %s\n", path, __wasi_path_filestat_get(ROOT, 0, path, &st) == 0 ? "exists" : "absent");
}

// A handle on `path` with the root's rights less `drop`.
static __wasi_fd_t dir_without(const char *path, __wasi_rights_t drop) {
    __wasi_fdstat_t st;
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    (void)__wasi_fd_fdstat_get(ROOT, &st);
    if (__wasi_path_open(ROOT, 0, path, __WASI_OFLAGS_DIRECTORY, st.fs_rights_base,
                         st.fs_rights_inheriting, 0, &fd) != 0)
        return fd;
    (void)__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~drop, st.fs_rights_inheriting);
    return fd;
}

static void create(const char *path) {
    __wasi_fd_t fd;
    if (__wasi_path_open(ROOT, 0, path, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd) == 0)
        (void)__wasi_fd_close(fd);
}

int main(void) {
    const __wasi_rights_t TARGETS = __WASI_RIGHTS_PATH_LINK_TARGET | __WASI_RIGHTS_PATH_RENAME_TARGET;
    const __wasi_rights_t SOURCES = __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_RENAME_SOURCE;
    __wasi_fd_t no_target = dir_without("sub", TARGETS);
    __wasi_fd_t no_source = dir_without("sub", SOURCES);
    create("r1.txt");

    // Into a directory without the target rights (the source has every right): refused.
    printf("link file.txt -> sub(no target rights)/l1: %s\n",
           res(__wasi_path_link(ROOT, 0, "file.txt", no_target, "l1")));
    exists("sub/l1");
    printf("rename r1.txt -> sub(no target rights)/m1: %s\n",
           res(__wasi_path_rename(ROOT, "r1.txt", no_target, "m1")));
    exists("sub/m1");
    exists("r1.txt");

    // Out of a directory without the source rights (the target has every right): refused.
    printf("link sub(no source rights)/inner.txt -> l2: %s\n",
           res(__wasi_path_link(no_source, 0, "inner.txt", ROOT, "l2")));
    exists("l2");
    printf("rename sub(no source rights)/inner.txt -> m2: %s\n",
           res(__wasi_path_rename(no_source, "inner.txt", ROOT, "m2")));
    exists("m2");
    exists("sub/inner.txt");

    // Into a directory that has the target rights but not the source rights: allowed.
    printf("link file.txt -> sub(no source rights)/l3: %s\n",
           res(__wasi_path_link(ROOT, 0, "file.txt", no_source, "l3")));
    exists("sub/l3");
    printf("rename r1.txt -> sub(no source rights)/m3: %s\n",
           res(__wasi_path_rename(ROOT, "r1.txt", no_source, "m3")));
    exists("sub/m3");
    // Out of a directory that has the source rights but not the target rights: allowed.
    printf("rename sub(no target rights)/m3 -> m4: %s\n",
           res(__wasi_path_rename(no_target, "m3", ROOT, "m4")));
    exists("m4");
    // Within one directory without the target rights: refused.
    printf("rename within sub(no target rights) inner.txt -> m5: %s\n",
           res(__wasi_path_rename(no_target, "inner.txt", no_target, "m5")));
    exists("sub/m5");
    return 0;
}
