/* content.h - the body bytes of a path, shared by the test server and by the
 * driver support that checks what a client received.
 *
 * Byte i of the body served for path P is content_byte(content_seed(P), i):
 * binary (NUL, CR and LF included), reproducible, and different for every
 * path, so a body delivered to the wrong item or shifted by one byte is seen. */
#ifndef HTTPD_CONTENT_H
#define HTTPD_CONTENT_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a of the path: the seed of its body. */
static inline uint64_t content_seed(const char *path)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *path; path++) h = (h ^ (unsigned char)*path) * 1099511628211ULL;
    return h;
}

/* splitmix64's finalizer: a well-mixed word from any input. */
static inline uint64_t content_mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* Writes body bytes [off, off + n) of the body with this seed into buf. */
static inline void content_fill(uint64_t seed, size_t off, unsigned char *buf, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t pos = off + i;
        uint64_t w = content_mix(seed + pos / 8);
        for (unsigned k = (unsigned)(pos % 8); k < 8 && i < n; k++, i++)
            buf[i] = (unsigned char)(w >> (8 * k));
    }
}

/* The first position where buf differs from the body, or n if it matches. */
static inline size_t content_mismatch(uint64_t seed, const unsigned char *buf, size_t n)
{
    unsigned char tmp[512];
    for (size_t off = 0; off < n; off += sizeof tmp) {
        size_t m = n - off < sizeof tmp ? n - off : sizeof tmp;
        content_fill(seed, off, tmp, m);
        for (size_t i = 0; i < m; i++)
            if (tmp[i] != buf[off + i]) return off + i;
    }
    return n;
}

#endif
