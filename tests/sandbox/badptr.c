// Guest pointers and lengths outside linear memory: every call must fail with EFAULT and the
// process must go on (wasmaot). wasmtime traps on the first one instead (a deliberate
// difference: see README "Sandbox policy"). Same conventions as escape.c.
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
#define DIR_RIGHTS 0x3ffffffLL

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

int main(void) {
    int32_t n, ofd;
    // Pointers outside linear memory.
    int32_t far = (int32_t)0xfffffff0;
    report("path_open path out of bounds",
           w_path_open(ROOT, 0, far, 100, 0, READ_RIGHTS, 0, 0, (int32_t)(uintptr_t)&ofd));
    report("path_open result out of bounds",
           w_path_open(ROOT, 0, P("file.txt"), 0, READ_RIGHTS, 0, 0, far));
    struct { int32_t buf, len; } bad = {far, 64};
    report("fd_write iovec out of bounds", w_fd_write(1, (int32_t)(uintptr_t)&bad, 1, (int32_t)(uintptr_t)&n));
    report("fd_write iovec array out of bounds", w_fd_write(1, far, 4, (int32_t)(uintptr_t)&n));
    report("args_sizes_get out of bounds", w_args_sizes_get(far, far));
    return 0;
}
