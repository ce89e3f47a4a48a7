// bytecount: count the newlines in 1 MiB of text, and check that it is all ASCII (a
// memchr/`wc -l`-style scan and a validation pass), repeated over a changing buffer.
#include <stdint.h>
#include <stdio.h>
#define LEN (1 << 20)
#define REPS 4000
static uint8_t buf[LEN];

__attribute__((noinline)) static uint32_t count_byte(const uint8_t *p, uint8_t c) {
    uint32_t n = 0;
    for (int i = 0; i < LEN; i++) n += p[i] == c;
    return n;
}

__attribute__((noinline)) static int is_ascii(const uint8_t *p) {
    uint8_t any = 0;
    for (int i = 0; i < LEN; i++) any |= p[i];
    return !(any & 0x80);
}

int main(void) {
    uint32_t s = 521288629u;
    for (int i = 0; i < LEN; i++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        uint32_t r = s % 64;
        buf[i] = r == 0 ? '\n' : (uint8_t)(' ' + (s >> 8) % 95);
    }
    uint64_t lines = 0, ascii = 0;
    for (int rep = 0; rep < REPS; rep++) {
        lines += count_byte(buf, '\n');
        ascii += is_ascii(buf);
        buf[(uint32_t)rep * 2654435761u % LEN] ^= rep % 3 == 0 ? 0x80 : '\n' ^ 'a';
    }
    printf("bytecount: %llu %llu\n", (unsigned long long)lines, (unsigned long long)ascii);
    return 0;
}
