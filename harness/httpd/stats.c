/* stats.c - what the test server saw, for the tests to ask about. */
#include "httpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct path_count {
    char *path;
    long count;
} path_count;

static path_count *paths;
static size_t npaths, cap_paths;
static long connections, open_now, most_open, requests, bad;
static char bad_first[160];

/* The counter of path, created at 0 when new; NULL only without memory. */
static path_count *path_slot(const char *path, bool create)
{
    for (size_t i = 0; i < npaths; i++)
        if (!strcmp(paths[i].path, path)) return &paths[i];
    if (!create) return NULL;
    if (npaths == cap_paths) {
        size_t cap = cap_paths ? cap_paths * 2 : 256;
        path_count *grown = realloc(paths, cap * sizeof *grown);
        if (!grown) return NULL;
        paths = grown, cap_paths = cap;
    }
    char *copy = strdup(path);
    if (!copy) return NULL;
    paths[npaths] = (path_count){copy, 0};
    return &paths[npaths++];
}

void stats_request(const char *path)
{
    requests++;
    path_count *p = path_slot(path, true);
    if (p) p->count++;
}

/* Keeps what was wrong with the first malformed request, and its first
 * line made printable. */
void stats_bad(const char *why, const char *first_line)
{
    if (bad++) return;
    char line[100];
    size_t j = 0;
    for (const char *s = first_line; *s && j + 1 < sizeof line; s++)
        line[j++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    line[j] = 0;
    snprintf(bad_first, sizeof bad_first, "%s in \"%s\"", why, line);
}

void stats_conn_open(void)
{
    connections++;
    if (++open_now > most_open) most_open = open_now;
}

void stats_conn_close(void)
{
    open_now--;
}

long stats_count(const char *path)
{
    path_count *p = path_slot(path, false);
    return p ? p->count : 0;
}

/* Writes all of buf to fd (a blocking pipe). */
static void write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w <= 0) return;
        buf += w, len -= (size_t)w;
    }
}

void stats_report(int fd, const routes *rs)
{
    char line[512];
    int n = snprintf(
        line, sizeof line,
        "connections %ld\nopen %ld\nmost_open %ld\nrequests %ld\npaths %zu\nbad %ld\n",
        connections, open_now, most_open, requests, npaths, bad);
    write_all(fd, line, (size_t)n);
    if (bad) {
        n = snprintf(line, sizeof line, "bad_first %s\n", bad_first);
        write_all(fd, line, (size_t)n);
    }
    for (size_t i = 0; i < rs->len; i++) {
        const route *r = &rs->items[i];
        n = snprintf(line, sizeof line, "route %s requests=%ld held_most=%d gave_up=%d\n",
                     r->prefix, r->requests, r->held_most, r->gave_up ? 1 : 0);
        write_all(fd, line, (size_t)n);
    }
    write_all(fd, "end\n", 4);
}

void stats_free(void)
{
    for (size_t i = 0; i < npaths; i++) free(paths[i].path);
    free(paths);
    paths = NULL;
    npaths = cap_paths = 0;
}
