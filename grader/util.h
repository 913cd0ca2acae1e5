/* util.h - allocation, strings, buffers, files and paths shared by every module.
 *
 * Allocation never fails: the x* functions abort with a message on OOM, so callers
 * never check for NULL. Every function says who owns what it returns. */
#ifndef GRADER_UTIL_H
#define GRADER_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Growable array of any element type: `T *items; size_t len, cap;`.
 * VEC_PUSH returns a pointer to the new, zeroed slot. */
#define VEC_PUSH(v)                                                                      \
    (vec_grow((void **)&(v)->items, &(v)->cap, (v)->len + 1, sizeof(*(v)->items)),       \
     &(v)->items[(v)->len++])
void vec_grow(void **items, size_t *cap, size_t need, size_t elem);

void *xmalloc(size_t n);                 /* never NULL; zero-filled */
void *xrealloc(void *p, size_t n);       /* never NULL */
char *xstrdup(const char *s);            /* NULL in, NULL out; caller frees */
char *xstrndup(const char *s, size_t n); /* caller frees */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A growable, always NUL-terminated byte buffer. Zero-initialise to start;
 * sbuf_free releases it; sbuf_take hands the bytes to the caller. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
} sbuf;
void sbuf_add(sbuf *b, const void *p, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_putc(sbuf *b, char c);
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(sbuf *b, const char *fmt, va_list ap);
char *sbuf_take(sbuf *b); /* caller frees; b is empty afterwards */
void sbuf_free(sbuf *b);
const char *sbuf_str(const sbuf *b); /* "" when empty; valid until the next change */

/* Strings. */
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
char *str_trim(char *s);                           /* trims in place, returns s */
size_t str_distance(const char *a, const char *b); /* Levenshtein, capped at 64 */
bool str_is_ident(const char *s);

/* Files. file_read returns a malloc'd NUL-terminated copy (caller frees) or NULL
 * with errno set; *len gets the size without the NUL when len is not NULL. */
char *file_read(const char *path, size_t *len);
int file_write(const char *path, const void *data, size_t len); /* 0 or -1 */
int file_copy(const char *from, const char *to);                /* 0 or -1 */
int fd_write_all(int fd, const void *data, size_t len);         /* 0 or -1 */
bool file_exists(const char *path);

/* What is at a path that something we do not trust (a student, a program we
 * ran) may have made or replaced. */
typedef enum file_kind {
    FILE_REGULAR,
    FILE_MISSING,
    FILE_LINK, /* a symbolic link: never followed */
    FILE_DIRECTORY,
    FILE_FIFO, /* never opened for a wait: O_NONBLOCK */
    FILE_DEVICE,
    FILE_SOCKET,
    FILE_TOO_LARGE, /* a regular file over the cap */
    FILE_UNREADABLE /* there, but open or read failed (errno) */
} file_kind;

/* Reads the file at path (relative to dirfd, or AT_FDCWD) only if it is a
 * regular file of at most cap bytes: lstat, then open with O_NOFOLLOW |
 * O_NONBLOCK, fstat S_ISREG on the descriptor (the same file lstat saw),
 * then at most cap bytes. Never follows a final symbolic link, never waits
 * on a FIFO, never reads a device. Returns the malloc'd NUL-terminated bytes
 * (caller frees; *len their count when len is not NULL) with *kind =
 * FILE_REGULAR, or NULL with *kind saying what was there instead. Every
 * reader of such a file goes through here. */
char *file_read_untrusted(int dirfd, const char *path, size_t cap, size_t *len,
                          file_kind *kind);
/* "a symbolic link", "a named pipe (FIFO)", ... for messages (static,
 * English: _() translates it). */
const char *file_kind_text(file_kind k);
bool dir_exists(const char *path);
int dir_make(const char *path);                /* mkdir -p; 0 or -1 */
int dir_remove(const char *path);              /* rm -rf; 0 or -1 */
char *dir_temp(const char *prefix);            /* mkdtemp under $TMPDIR; caller frees */
char *path_join(const char *a, const char *b); /* caller frees */
char *path_dirname(const char *p);             /* caller frees */
const char *path_base(const char *p);          /* points into p */
char *path_abs(const char *p);                 /* realpath or NULL; caller frees */

/* Sorted names of the entries of dir (no dot files), or NULL; free with strv_free. */
char **dir_list(const char *dir, size_t *n);
void strv_free(char **v, size_t n);

/* Standard base64 of n bytes, no line breaks (caller frees). */
char *base64_encode(const void *data, size_t n);

/* Time. */
int64_t now_ms(void); /* monotonic milliseconds */

/* 64-bit mixing for seeds: deterministic, well distributed. */
uint64_t hash_mix(uint64_t x);
uint64_t hash_str(uint64_t h, const char *s);

#endif
