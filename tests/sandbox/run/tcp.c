// A TCP echo server on the listener the host hands in (`--tcplisten` / `-S tcplisten=`, fd 3):
// accepts one connection, reads one message, answers "echo: <message>", shuts the connection
// down and exits. Uses the raw preview1 socket calls.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
IMPORT(sock_accept) int32_t w_sock_accept(int32_t fd, int32_t flags, int32_t out);
IMPORT(sock_recv) int32_t w_sock_recv(int32_t fd, int32_t iovs, int32_t n, int32_t flags,
                                      int32_t out_len, int32_t out_flags);
IMPORT(sock_send) int32_t w_sock_send(int32_t fd, int32_t iovs, int32_t n, int32_t flags,
                                      int32_t out_len);
IMPORT(sock_shutdown) int32_t w_sock_shutdown(int32_t fd, int32_t how);
IMPORT(fd_close) int32_t w_fd_close(int32_t fd);

#define A(p) (int32_t)(uintptr_t)(p)

int main(void) {
    int32_t conn = -1;
    int e = w_sock_accept(3, 0, A(&conn));
    printf("accept: %d\n", e);
    if (e) return 1;
    char buf[128] = "echo: ";
    struct { int32_t buf, len; } iov = {A(buf + 6), sizeof buf - 7};
    int32_t n = 0;
    uint16_t flags = 0;
    e = w_sock_recv(conn, A(&iov), 1, 0, A(&n), A(&flags));
    printf("recv: %d %d bytes\n", e, (int)n);
    if (e) return 1;
    struct { int32_t buf, len; } out = {A(buf), 6 + n};
    int32_t sent = 0;
    e = w_sock_send(conn, A(&out), 1, 0, A(&sent));
    printf("send: %d %d bytes\n", e, (int)sent);
    printf("shutdown: %d\n", w_sock_shutdown(conn, 3));
    printf("accept on a file: %d\n", w_sock_accept(1, 0, A(&conn)));
    printf("close: %d\n", w_fd_close(conn));
    return 0;
}
