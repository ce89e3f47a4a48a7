// Sandbox escape attempts, made with raw WASI preview1 calls (no wasi-libc path logic in
// between). The runner preopens a scratch tree as fd 3 (`/`) next to an `outside/` directory
// that must stay untouched; see `sandbox_tree` in tests/harness/src/bin/wasi.rs for the layout.
// Each line is `name: OK` or `name: <errno>`; the expected output is escape.expected.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
IMPORT(path_open) int32_t w_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
                                      int32_t oflags, int64_t base, int64_t inh, int32_t fdflags,
                                      int32_t out);
IMPORT(fd_read) int32_t w_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t out);
IMPORT(fd_write) int32_t w_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t out);
IMPORT(fd_close) int32_t w_fd_close(int32_t fd);
IMPORT(fd_renumber) int32_t w_fd_renumber(int32_t from, int32_t to);
IMPORT(fd_fdstat_get) int32_t w_fd_fdstat_get(int32_t fd, int32_t out);
IMPORT(path_rename) int32_t w_path_rename(int32_t fd, int32_t old, int32_t old_len, int32_t new_fd,
                                          int32_t new, int32_t new_len);
IMPORT(path_link) int32_t w_path_link(int32_t fd, int32_t flags, int32_t old, int32_t old_len,
                                      int32_t new_fd, int32_t new, int32_t new_len);
IMPORT(path_symlink) int32_t w_path_symlink(int32_t old, int32_t old_len, int32_t fd, int32_t new,
                                            int32_t new_len);
IMPORT(path_unlink_file) int32_t w_path_unlink_file(int32_t fd, int32_t path, int32_t len);
IMPORT(path_remove_directory) int32_t w_path_remove_directory(int32_t fd, int32_t path, int32_t len);
IMPORT(path_create_directory) int32_t w_path_create_directory(int32_t fd, int32_t path, int32_t len);
IMPORT(path_filestat_get) int32_t w_path_filestat_get(int32_t fd, int32_t flags, int32_t path,
                                                      int32_t len, int32_t out);
IMPORT(path_readlink) int32_t w_path_readlink(int32_t fd, int32_t path, int32_t len, int32_t buf,
                                              int32_t buf_len, int32_t used);
IMPORT(args_sizes_get) int32_t w_args_sizes_get(int32_t argc, int32_t size);

#define P(s) (int32_t)(uintptr_t)(s), (int32_t)strlen(s)
#define FOLLOW 1
#define ROOT 3
#define READ_RIGHTS ((1 << 1) | (1 << 2) | (1 << 5) | (1 << 21))
#define DIR_RIGHTS ((1 << 13) | (1 << 14) | (1 << 18) | (1 << 21))

static const char *errname(int e) {
    switch (e) {
    case 0: return "OK";
    case 2: return "EACCES";
    case 8: return "EBADF";
    case 20: return "EEXIST";
    case 21: return "EFAULT";
    case 28: return "EINVAL";
    case 31: return "EISDIR";
    case 32: return "ELOOP";
    case 37: return "ENAMETOOLONG";
    case 44: return "ENOENT";
    case 54: return "ENOTDIR";
    case 55: return "ENOTEMPTY";
    case 63: return "EPERM";
    case 76: return "ENOTCAPABLE";
    case 75: return "EXDEV";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "errno %d", e);
        return buf;
    }
    }
}

static void report(const char *name, int e) { printf("%s: %s\n", name, errname(e)); }

// Opens `path` under `dir` for reading; on success prints the first line read and closes.
static void try_open(const char *name, int32_t dir, int32_t flags, const char *path) {
    int32_t fd = -1;
    int e = w_path_open(dir, flags, P(path), 0, READ_RIGHTS, 0, 0, (int32_t)(uintptr_t)&fd);
    if (e != 0) {
        report(name, e);
        return;
    }
    char buf[64] = {0};
    struct { int32_t buf, len; } iov = {(int32_t)(uintptr_t)buf, sizeof buf - 1};
    int32_t n = 0;
    e = w_fd_read(fd, (int32_t)(uintptr_t)&iov, 1, (int32_t)(uintptr_t)&n);
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    printf("%s: OK (read %s \"%s\")\n", name, errname(e), buf);
    w_fd_close(fd);
}

int main(void) {
    // `..` and absolute paths.
    try_open("open ../outside/secret.txt", ROOT, 0, "../outside/secret.txt");
    try_open("open sub/../../outside/secret.txt", ROOT, 0, "sub/../../outside/secret.txt");
    try_open("open sub/../file.txt", ROOT, 0, "sub/../file.txt");
    try_open("open /etc/passwd", ROOT, 0, "/etc/passwd");
    try_open("open ..", ROOT, 0, "..");
    try_open("open sub/../..", ROOT, 0, "sub/../..");
    // Symlinks: absolute, relative leaving the root, loops, one that stays inside.
    try_open("open link-etc/passwd", ROOT, FOLLOW, "link-etc/passwd");
    try_open("open link-passwd (follow)", ROOT, FOLLOW, "link-passwd");
    try_open("open link-passwd (nofollow)", ROOT, 0, "link-passwd");
    try_open("open link-out/secret.txt", ROOT, FOLLOW, "link-out/secret.txt");
    try_open("open sub/link-up2", ROOT, FOLLOW, "sub/link-up2");
    try_open("open loop-a", ROOT, FOLLOW, "loop-a");
    try_open("open loop-a/x", ROOT, 0, "loop-a/x");
    try_open("open self", ROOT, FOLLOW, "self");
    try_open("open link-file", ROOT, FOLLOW, "link-file");
    uint8_t st[64];
    report("filestat link-etc (follow)",
           w_path_filestat_get(ROOT, FOLLOW, P("link-etc"), (int32_t)(uintptr_t)st));
    report("filestat link-etc (nofollow)",
           w_path_filestat_get(ROOT, 0, P("link-etc"), (int32_t)(uintptr_t)st));
    report("filestat link-out/secret.txt",
           w_path_filestat_get(ROOT, FOLLOW, P("link-out/secret.txt"), (int32_t)(uintptr_t)st));
    char lbuf[64] = {0};
    int32_t used = 0;
    int e = w_path_readlink(ROOT, P("link-etc"), (int32_t)(uintptr_t)lbuf, sizeof lbuf - 1,
                            (int32_t)(uintptr_t)&used);
    printf("readlink link-etc: %s \"%s\"\n", errname(e), e == 0 ? lbuf : "");

    // Creating and removing things outside.
    report("mkdir ../outside/new", w_path_create_directory(ROOT, P("../outside/new")));
    report("mkdir link-out/new", w_path_create_directory(ROOT, P("link-out/new")));
    report("unlink ../outside/secret.txt", w_path_unlink_file(ROOT, P("../outside/secret.txt")));
    report("unlink link-out/secret.txt", w_path_unlink_file(ROOT, P("link-out/secret.txt")));
    report("rmdir ../outside/dir", w_path_remove_directory(ROOT, P("../outside/dir")));
    int32_t cfd = -1;
    report("create ../outside/dir/new",
           w_path_open(ROOT, 0, P("../outside/dir/new"), 1 /* CREAT */, READ_RIGHTS | (1 << 6),
                       0, 0, (int32_t)(uintptr_t)&cfd));
    report("create link-out/dir/new",
           w_path_open(ROOT, FOLLOW, P("link-out/dir/new"), 1, READ_RIGHTS | (1 << 6), 0, 0,
                       (int32_t)(uintptr_t)&cfd));

    // Renames and hard links out of the preopen.
    report("rename file.txt -> ../outside/x",
           w_path_rename(ROOT, P("file.txt"), ROOT, P("../outside/x")));
    report("rename sub -> ../outside/dir/sub",
           w_path_rename(ROOT, P("sub"), ROOT, P("../outside/dir/sub")));
    report("rename ../outside/secret.txt -> stolen",
           w_path_rename(ROOT, P("../outside/secret.txt"), ROOT, P("stolen")));
    report("rename file.txt -> link-out/x",
           w_path_rename(ROOT, P("file.txt"), ROOT, P("link-out/x")));
    report("link file.txt -> ../outside/hl",
           w_path_link(ROOT, 0, P("file.txt"), ROOT, P("../outside/hl")));
    report("link ../outside/secret.txt -> hl",
           w_path_link(ROOT, 0, P("../outside/secret.txt"), ROOT, P("hl")));
    report("link link-passwd (follow) -> hl2",
           w_path_link(ROOT, FOLLOW, P("link-passwd"), ROOT, P("hl2")));
    report("link sub/link-up2 (follow) -> hl3",
           w_path_link(ROOT, FOLLOW, P("sub/link-up2"), ROOT, P("hl3")));

    // Symlinks the guest creates.
    report("symlink /etc/passwd -> new-abs", w_path_symlink(P("/etc/passwd"), ROOT, P("new-abs")));
    report("symlink ../outside/secret.txt -> new-rel",
           w_path_symlink(P("../outside/secret.txt"), ROOT, P("new-rel")));
    try_open("open new-rel", ROOT, FOLLOW, "new-rel");
    report("unlink new-rel", w_path_unlink_file(ROOT, P("new-rel")));

    // A directory fd is a sandbox of its own: `..` from it is refused.
    int32_t sub = -1;
    e = w_path_open(ROOT, 0, P("sub"), 2 /* DIRECTORY */, DIR_RIGHTS, DIR_RIGHTS | READ_RIGHTS, 0,
                    (int32_t)(uintptr_t)&sub);
    report("open sub as a directory", e);
    try_open("open (sub) ../file.txt", sub, 0, "../file.txt");
    try_open("open (sub) inner.txt", sub, 0, "inner.txt");
    w_fd_close(sub);

    // File descriptors never opened.
    char byte;
    struct { int32_t buf, len; } iov = {(int32_t)(uintptr_t)&byte, 1};
    int32_t n;
    report("fd_read fd 99", w_fd_read(99, (int32_t)(uintptr_t)&iov, 1, (int32_t)(uintptr_t)&n));
    report("fd_write fd 1<<30", w_fd_write(1 << 30, (int32_t)(uintptr_t)&iov, 1, (int32_t)(uintptr_t)&n));
    report("fd_write fd -1", w_fd_write(-1, (int32_t)(uintptr_t)&iov, 1, (int32_t)(uintptr_t)&n));
    report("fd_close fd 99", w_fd_close(99));
    report("fd_fdstat_get fd 99", w_fd_fdstat_get(99, (int32_t)(uintptr_t)st));
    report("fd_renumber 99 -> 3", w_fd_renumber(99, 3));
    int32_t ofd;
    report("path_open dirfd 99", w_path_open(99, 0, P("file.txt"), 0, READ_RIGHTS, 0, 0,
                                             (int32_t)(uintptr_t)&ofd));
    report("path_open dirfd 1 (stdout)", w_path_open(1, 0, P("file.txt"), 0, READ_RIGHTS, 0, 0,
                                                     (int32_t)(uintptr_t)&ofd));

    return 0;
}
