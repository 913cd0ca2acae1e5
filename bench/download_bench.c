/* download_bench.c - times one download_all implementation against the
 * loopback test server (harness/httpd) on routes with latency.
 *
 *   download_bench N LATENCY_MS SIZE
 *
 * Prints "ms=M ok=K" where M is the wall time of one download_all of N URLs
 * whose server waits LATENCY_MS before each response of SIZE bytes, and K how
 * many completed. Linked by bench/download.sh with one implementation. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "download.h"
#include "grader_http.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: download_bench N LATENCY_MS SIZE\n");
        return 64;
    }
    size_t n = (size_t)atol(argv[1]);
    char routes[128], path[128];
    snprintf(routes, sizeof routes, "/l/,latency=%ld,size=%ld", atol(argv[2]), atol(argv[3]));
    drv_http *s = drv_http_start(routes);
    if (!s) return 2;
    struct download *items = calloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/l/%zu", i);
        items[i].url = drv_http_url(s, path);
    }
    double t0 = now_ms();
    int ok = download_all(items, n, 30000);
    double ms = now_ms() - t0;
    printf("ms=%.0f ok=%d\n", ms, ok);
    for (size_t i = 0; i < n; i++) free(items[i].body);
    free(items);
    drv_http_stop(s);
    return 0;
}
