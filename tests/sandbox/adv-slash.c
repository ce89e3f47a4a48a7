// GHSA-vqjp-4c8c-hfgg: trailing slashes must not let a path whose final component is a symlink
// to outside the preopen escape it: `path_open("link/")`, `path_symlink`/`path_rename`/
// `path_link`/`path_create_directory`/... with trailing slashes. The runner preopens the
// scratch tree as fd 3 (`/`) beside an `outside/` directory it checks is never changed; see
// `sandbox_tree` in tests/harness/src/bin/wasi.rs (link-out -> ../outside, link-etc -> /etc,
// link-passwd -> /etc/passwd, sub/link-up2 -> ../../outside/secret.txt, link-file -> inside).
// Each line is `name: OK` or `name: refused` (`safe` for stats); expected output: adv-slash.expected.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define ROOT 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static void show(const char *name, __wasi_errno_t e) {
    printf("%s: %s\n", name, e == 0 ? "OK" : "refused");
}

// A stat must not describe what is outside: refusing, or describing the symlink itself
// (wasmtime, without following it), are both safe.
static void show_stat(const char *name, const char *path, __wasi_lookupflags_t lf) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(ROOT, lf, path, &st);
    printf("%s: %s\n", name,
           e != 0 || st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK ? "safe" : "ESCAPED");
}

static __wasi_errno_t open_path(const char *path, __wasi_lookupflags_t lf, __wasi_oflags_t of,
                                __wasi_rights_t rights) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(ROOT, lf, path, of, rights, rights, 0, &fd);
    if (e == 0) (void)__wasi_fd_close(fd);
    return e;
}

int main(void) {
    const __wasi_rights_t DIRR = __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN;
    const __wasi_rights_t RD = __WASI_RIGHTS_FD_READ;
    const char *escapes[] = {"link-out/", "link-out//", "link-out/.", "link-out/./",
                             "link-etc/", "link-passwd/", "sub/link-up2/", "link-out/dir/"};
    char name[96];
    for (unsigned i = 0; i < sizeof escapes / sizeof *escapes; i++) {
        const char *p = escapes[i];
        snprintf(name, sizeof name, "open %s (dir)", p);
        show(name, open_path(p, 0, __WASI_OFLAGS_DIRECTORY, DIRR));
        snprintf(name, sizeof name, "open %s (dir, follow)", p);
        show(name, open_path(p, FOLLOW, __WASI_OFLAGS_DIRECTORY, DIRR));
        snprintf(name, sizeof name, "open %s (file, follow)", p);
        show(name, open_path(p, FOLLOW, 0, RD));
        snprintf(name, sizeof name, "filestat %s", p);
        show_stat(name, p, 0);
        snprintf(name, sizeof name, "filestat %s (follow)", p);
        show_stat(name, p, FOLLOW);
    }
    // Creating through the link, with trailing slashes.
    show("open link-out/new.txt/ (create)",
         open_path("link-out/new.txt/", FOLLOW, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE));
    show("open link-out/ (create)", open_path("link-out/", FOLLOW, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE));
    show("mkdir link-out/", __wasi_path_create_directory(ROOT, "link-out/"));
    show("mkdir link-out/new/", __wasi_path_create_directory(ROOT, "link-out/new/"));
    show("symlink file.txt at link-out/", __wasi_path_symlink("file.txt", ROOT, "link-out/"));
    show("symlink file.txt at link-out/evil/", __wasi_path_symlink("file.txt", ROOT, "link-out/evil/"));
    show("symlink ../outside at new-link/", __wasi_path_symlink("../outside", ROOT, "new-link/"));
    show("open new-link/ (dir, follow)", open_path("new-link/", FOLLOW, __WASI_OFLAGS_DIRECTORY, DIRR));
    show("open new-link/secret.txt", open_path("new-link/secret.txt", FOLLOW, 0, RD));
    // Moving the link's target (outside/) in, or something out through the link.
    show("rename link-out/ -> stolen", __wasi_path_rename(ROOT, "link-out/", ROOT, "stolen"));
    show("rename link-out/ -> stolen/", __wasi_path_rename(ROOT, "link-out/", ROOT, "stolen/"));
    show("open stolen/secret.txt", open_path("stolen/secret.txt", FOLLOW, 0, RD));
    show("rename sub/ -> link-out/", __wasi_path_rename(ROOT, "sub/", ROOT, "link-out/"));
    show("rename sub/ -> link-out/sub/", __wasi_path_rename(ROOT, "sub/", ROOT, "link-out/sub/"));
    show("rename file.txt -> link-out/dir/", __wasi_path_rename(ROOT, "file.txt", ROOT, "link-out/dir/"));
    show("rename sub/link-up2/ -> up", __wasi_path_rename(ROOT, "sub/link-up2/", ROOT, "up"));
    show("link link-passwd/ -> pw", __wasi_path_link(ROOT, FOLLOW, "link-passwd/", ROOT, "pw"));
    show("link sub/link-up2/ -> sec", __wasi_path_link(ROOT, FOLLOW, "sub/link-up2/", ROOT, "sec"));
    show("link file.txt -> link-out/", __wasi_path_link(ROOT, 0, "file.txt", ROOT, "link-out/"));
    show("link file.txt -> link-out/f/", __wasi_path_link(ROOT, 0, "file.txt", ROOT, "link-out/f/"));
    show("unlink link-out/", __wasi_path_unlink_file(ROOT, "link-out/"));
    show("rmdir link-out/", __wasi_path_remove_directory(ROOT, "link-out/"));
    show("rmdir link-out/dir/", __wasi_path_remove_directory(ROOT, "link-out/dir/"));
    // Trailing slashes inside the preopen still work as on a host.
    show("mkdir made/", __wasi_path_create_directory(ROOT, "made/"));
    show("open sub/ (dir)", open_path("sub/", 0, __WASI_OFLAGS_DIRECTORY, DIRR));
    show("rename made/ -> made2/", __wasi_path_rename(ROOT, "made/", ROOT, "made2/"));
    show("rmdir made2", __wasi_path_remove_directory(ROOT, "made2"));
    show("open file.txt/", open_path("file.txt/", 0, 0, RD));
    return 0;
}
