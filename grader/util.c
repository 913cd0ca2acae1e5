/* util.c - see util.h. */
#include "util.h"
#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <ctype.h>

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("grader: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fputs("grader: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("grader: out of memory\n", stderr);
        abort();
    }
    return q;
}

char *xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void vec_grow(void **items, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < need) ncap *= 2;
    *items = xrealloc(*items, ncap * elem);
    memset((char *)*items + *cap * elem, 0, (ncap - *cap) * elem);
    *cap = ncap;
}

/* --- sbuf --------------------------------------------------------------- */

static void sbuf_reserve(sbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t ncap = b->cap ? b->cap * 2 : 64;
    while (ncap < b->len + extra + 1) ncap *= 2;
    b->data = xrealloc(b->data, ncap);
    b->cap = ncap;
}

void sbuf_add(sbuf *b, const void *p, size_t n)
{
    sbuf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void sbuf_puts(sbuf *b, const char *s)
{
    sbuf_add(b, s, strlen(s));
}

void sbuf_putc(sbuf *b, char c)
{
    sbuf_add(b, &c, 1);
}

void sbuf_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    sbuf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void sbuf_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *sbuf_take(sbuf *b)
{
    char *s = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void sbuf_free(sbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

const char *sbuf_str(const sbuf *b)
{
    return b->data ? b->data : "";
}

/* --- strings ------------------------------------------------------------ */

bool str_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

char *str_trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

size_t str_distance(const char *a, const char *b)
{
    /* optimal string alignment: Levenshtein plus adjacent transpositions,
     * so "rnu" is one step from "run" */
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return 64;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++) d[i][0] = i;
    for (size_t j = 0; j <= m; j++) d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]),
                cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

bool str_is_ident(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_')) return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-')) return false;
    return true;
}

/* --- files -------------------------------------------------------------- */

char *file_read(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) errno = EISDIR;
        close(fd);
        return NULL;
    }
    sbuf b = {0};
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            sbuf_free(&b);
            errno = e;
            return NULL;
        }
        if (r == 0) break;
        sbuf_add(&b, chunk, (size_t)r);
    }
    close(fd);
    if (len) *len = b.len;
    return sbuf_take(&b);
}

static file_kind kind_of_mode(mode_t m)
{
    if (S_ISREG(m)) return FILE_REGULAR;
    if (S_ISLNK(m)) return FILE_LINK;
    if (S_ISDIR(m)) return FILE_DIRECTORY;
    if (S_ISFIFO(m)) return FILE_FIFO;
    if (S_ISSOCK(m)) return FILE_SOCKET;
    return FILE_DEVICE;
}

const char *file_kind_text(file_kind k)
{
    static const char *const text[] = {
        [FILE_REGULAR] = N_("a regular file"),   [FILE_MISSING] = N_("missing"),
        [FILE_LINK] = N_("a symbolic link"),     [FILE_DIRECTORY] = N_("a directory"),
        [FILE_FIFO] = N_("a named pipe (FIFO)"), [FILE_DEVICE] = N_("a device"),
        [FILE_SOCKET] = N_("a socket"),          [FILE_TOO_LARGE] = N_("too large"),
        [FILE_UNREADABLE] = N_("unreadable"),
    };
    return (unsigned)k < ARRAY_LEN(text) ? text[k] : "unreadable";
}

/* Reads at most cap + 1 bytes of fd into b; -1 on a read error. */
static int fd_read_capped(int fd, size_t cap, sbuf *b)
{
    char chunk[65536];
    for (;;) {
        size_t want = cap + 1 - b->len < sizeof chunk ? cap + 1 - b->len : sizeof chunk;
        ssize_t r = read(fd, chunk, want);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return 0;
        sbuf_add(b, chunk, (size_t)r);
        if (b->len > cap) return 0;
    }
}

char *file_read_untrusted(int dirfd, const char *path, size_t cap, size_t *len,
                          file_kind *kind)
{
    struct stat ls, st;
    if (fstatat(dirfd, path, &ls, AT_SYMLINK_NOFOLLOW) < 0) {
        *kind = errno == ENOENT || errno == ENOTDIR ? FILE_MISSING : FILE_UNREADABLE;
        return NULL;
    }
    *kind = kind_of_mode(ls.st_mode);
    if (*kind != FILE_REGULAR) return NULL;
    if ((uint64_t)ls.st_size > cap) {
        *kind = FILE_TOO_LARGE;
        return NULL;
    }
    int fd =
        openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *kind = errno == ELOOP    ? FILE_LINK
                : errno == ENOENT ? FILE_MISSING
                                  : FILE_UNREADABLE;
        return NULL;
    }
    sbuf b = {0};
    if (fstat(fd, &st) < 0 || (*kind = kind_of_mode(st.st_mode)) != FILE_REGULAR ||
        st.st_ino != ls.st_ino || st.st_dev != ls.st_dev) {
        if (*kind == FILE_REGULAR)
            *kind = FILE_UNREADABLE; /* replaced between the two looks */
    } else if (fd_read_capped(fd, cap, &b) < 0) {
        *kind = FILE_UNREADABLE;
    } else if (b.len > cap) {
        *kind = FILE_TOO_LARGE;
    }
    int e = errno;
    close(fd);
    if (*kind != FILE_REGULAR) {
        sbuf_free(&b);
        errno = e;
        return NULL;
    }
    if (len) *len = b.len;
    return sbuf_take(&b);
}

int fd_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int file_write(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    if (fd_write_all(fd, data, len) < 0) {
        close(fd);
        return -1;
    }
    return close(fd);
}

int file_copy(const char *from, const char *to)
{
    size_t n;
    char *data = file_read(from, &n);
    if (!data) return -1;
    int rc = file_write(to, data, n);
    free(data);
    return rc;
}

bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int dir_make(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = (mkdir(p, 0755) < 0 && errno != EEXIST) ? -1 : 0;
    free(p);
    return rc;
}

int dir_remove(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *sub = path_join(path, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(sub, 0700); /* a submission may have made it unwritable */
            rc |= dir_remove(sub);
        } else if (unlink(sub) < 0 && errno != ENOENT)
            rc = -1;
        free(sub);
    }
    closedir(d);
    if (rmdir(path) < 0 && errno != ENOENT) rc = -1;
    return rc;
}

char *dir_temp(const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    char *tmpl = xasprintf("%s/%s-XXXXXX", tmp, prefix);
    if (!mkdtemp(tmpl)) {
        free(tmpl);
        return NULL;
    }
    return tmpl;
}

char *path_join(const char *a, const char *b)
{
    if (!a || !*a || b[0] == '/') return xstrdup(b);
    return xasprintf("%s%s%s", a, str_ends(a, "/") ? "" : "/", b);
}

char *path_dirname(const char *p)
{
    const char *s = strrchr(p, '/');
    if (!s) return xstrdup(".");
    if (s == p) return xstrdup("/");
    return xstrndup(p, (size_t)(s - p));
}

const char *path_base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

char *path_abs(const char *p)
{
    char buf[PATH_MAX];
    return realpath(p, buf) ? xstrdup(buf) : NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **dir_list(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **v = NULL;
    size_t len = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        vec_grow((void **)&v, &cap, len + 1, sizeof *v);
        v[len++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (len) qsort(v, len, sizeof *v, cmp_str);
    *n = len;
    return v ? v : xmalloc(sizeof *v);
}

void strv_free(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

char *base64_encode(const void *data, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = 0;
    return out;
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t hash_mix(uint64_t x)
{
    /* splitmix64 finaliser */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t hash_str(uint64_t h, const char *s)
{
    /* FNV-1a over the string, then mixed with h */
    uint64_t f = 0xcbf29ce484222325ULL;
    for (; *s; s++) f = (f ^ (unsigned char)*s) * 0x100000001b3ULL;
    return hash_mix(h ^ f);
}
