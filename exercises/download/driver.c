/* driver.c - scenarios of the `download` exercise.
 *
 * Each scenario starts the loopback test server (grader_http.h) with routes,
 * builds a batch of URLs whose expected status and body it knows, calls the
 * student's download_all once and reports what was wrong. Route options in a
 * URL's query ("?size=1000&piece=7&drip=1") shape each response; see
 * harness/httpd/route.c. Flags after the numbers of a scenario:
 *   forbid  creating a thread or a process is refused and reported
 *   fds     descriptors left open by download_all are reported */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "download.h"
#include "grader_driver.h"
#include "grader_forbid.h"
#include "grader_http.h"

#define MAX_ITEMS 1000
#define MAX_FDS 4096

typedef struct opts {
    long num[4];
    int nnum;
    bool forbid, fds;
} opts;

/* What an item must end with. */
typedef struct want {
    char path[160];
    int status;      /* 0: the item must fail */
    long size;       /* body length when it must succeed */
    const char *why; /* why it must fail */
} want;

typedef struct batch {
    drv_http *srv;
    struct download items[MAX_ITEMS];
    want w[MAX_ITEMS];
    size_t n;
} batch;

static batch B;

static opts opts_parse(int argc, char **argv)
{
    opts o = {.nnum = 0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "forbid")) o.forbid = true;
        else if (!strcmp(argv[i], "fds")) o.fds = true;
        else if (o.nnum < 4) o.num[o.nnum++] = strtol(argv[i], NULL, 0);
    }
    return o;
}

static long opt_num(const opts *o, int i, long dflt)
{
    return i < o->nnum ? o->num[i] : dflt;
}

/* Starts the server for the batch. false (and the reason is an output) if it
 * could not start. */
static bool batch_start(const char *routes)
{
    memset(&B, 0, sizeof B);
    B.srv = drv_http_start(routes);
    return B.srv != NULL;
}

/* Adds an item for the server's path that must end with this status and a
 * body of size bytes (status 0: must fail, for the reason why). */
static void batch_add(const char *path, int status, long size, const char *why)
{
    if (B.n == MAX_ITEMS) abort();
    want *w = &B.w[B.n];
    snprintf(w->path, sizeof w->path, "%s", path);
    w->status = status, w->size = size, w->why = why;
    B.items[B.n].url = drv_http_url(B.srv, path);
    B.items[B.n].status = -1;
    B.n++;
}

/* Like batch_add, for a URL whose port refuses connections. */
static void batch_add_refused(const char *path)
{
    batch_add(path, 0, 0, "nothing listens on its port: connect fails with ECONNREFUSED");
    B.items[B.n - 1].url = drv_http_refused_url(B.srv, path);
}

/* --- descriptors ---------------------------------------------------------------- */

/* Marks the open descriptors of this process in open[]. */
static void fds_snapshot(bool *open)
{
    memset(open, 0, MAX_FDS * sizeof *open);
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd >= 0 && fd < MAX_FDS && fd != dirfd(d)) open[fd] = true;
    }
    closedir(d);
}

/* Reports the descriptors open now that were not open before. */
static void fds_compare(const bool *before)
{
    static bool after[MAX_FDS];
    fds_snapshot(after);
    int leaked = 0, sockets = 0, first = -1;
    for (int fd = 0; fd < MAX_FDS; fd++) {
        if (!after[fd] || before[fd]) continue;
        char link[64], target[128] = "";
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, target, sizeof target - 1);
        if (k > 0) target[k] = 0;
        sockets += !strncmp(target, "socket:", 7);
        if (!leaked++) first = fd;
    }
    drv_out("fds_leaked", "%d", leaked);
    if (leaked)
        drv_finding("fd-leak",
                    leaked == 1 ? DRV_MSG("%d descriptor%s (%d of them socket%s, the first is fd %d) opened by download_all was still open after it returned: close every socket, the failed ones too")
                                : DRV_MSG("%d descriptor%s (%d of them socket%s, the first is fd %d) opened by download_all were still open after it returned: close every socket, the failed ones too"),
                    leaked, leaked == 1 ? "" : "s", sockets, sockets == 1 ? "" : "s",
                    first);
}

/* --- judging ---------------------------------------------------------------------- */

/* Describes what is wrong with item i into msg (empty if nothing). */
static void item_judge(size_t i, char *msg, size_t len)
{
    const struct download *d = &B.items[i];
    const want *w = &B.w[i];
    char m[300] = "";
    if (w->status == 0) {
        if (d->status != 0)
            snprintf(m, sizeof m, "has status %d, but it should have failed (status 0): %s", d->status, w->why);
        else if (d->body)
            snprintf(m, sizeof m, "failed (status 0) as it should, but its body is not NULL");
    } else if (d->status == 0) {
        snprintf(m, sizeof m, "failed (status 0); the server sent status %d and a %ld-byte body", w->status, w->size);
    } else if (d->status != w->status) {
        snprintf(m, sizeof m, "status %d, but the server sent %d", d->status, w->status);
    } else if (!d->body) {
        snprintf(m, sizeof m, "status %d but body is NULL; a complete response has a body (malloc'd, even when empty)",
                 d->status);
    } else if ((long)d->body_len != w->size) {
        snprintf(m, sizeof m, "body_len is %zu, but the body has %ld bytes%s", d->body_len, w->size,
                 (long)d->body_len < w->size ? ": keep reading until the whole body is in"
                                             : ": the body holds bytes that are not part of it");
    } else {
        size_t k = drv_http_body_mismatch(w->path, d->body, d->body_len);
        if (k < d->body_len) snprintf(m, sizeof m, "the body has the right length but differs from byte %zu on", k);
    }
    if (m[0]) snprintf(msg, len, "items[%zu] (%s): %s", i, w->path, m);
    else msg[0] = 0;
}

/* Reports every wrong item as one finding (the first three described).
 * Returns how many were wrong. */
static int items_check(void)
{
    char all[1800] = "", one[400];
    size_t wrong = 0, used = 0;
    for (size_t i = 0; i < B.n; i++) {
        item_judge(i, one, sizeof one);
        if (!one[0]) continue;
        if (wrong++ < 3 && used < sizeof all - 2)
            used += (size_t)snprintf(all + used, sizeof all - used, "%s%s", used ? "; " : "", one);
    }
    drv_out("wrong", "%zu", wrong);
    if (wrong)
        drv_finding("wrong-result", "%zu of the %zu items were wrong: %s%s", wrong, B.n, all,
                    wrong > 3 ? "; ..." : "");
    return (int)wrong;
}

/* Reports a wrong return value: it counts the complete responses. */
static void rc_check(int rc)
{
    int complete = 0;
    for (size_t i = 0; i < B.n; i++) complete += B.w[i].status != 0;
    drv_out("rc", "%d", rc);
    if (rc != complete)
        drv_finding("wrong-result",
                    "download_all returned %d, but %d of the %zu items should have a complete "
                    "response (a 404 or a 500 is a complete response too)",
                    rc, complete, B.n);
}

/* Reports requests the server could not understand. */
static void requests_check(void)
{
    drv_http_info st;
    if (drv_http_stats(B.srv, &st) < 0) return;
    drv_out("requests", "%ld", st.requests);
    drv_out("most_open", "%ld", st.most_open);
    if (st.bad)
        drv_finding("wrong-result",
                    "the server could not understand %ld of your requests (it answered 400 Bad "
                    "Request). The first: %s. Send \"GET /PATH HTTP/1.1\\r\\nHost: "
                    "HOST:PORT\\r\\nConnection: close\\r\\n\\r\\n\"",
                    st.bad, st.bad_first);
}

/* Reports requests that were not all in flight at once: the rendezvous
 * route held every response until all of them had arrived, or gave up. */
static void rendezvous_check(const char *prefix)
{
    drv_http_route_info ri;
    if (drv_http_route(B.srv, prefix, &ri) < 0) return;
    drv_out("held_most", "%d", ri.held_most);
    if (!ri.gave_up && ri.held_most >= (int)B.n) return;
    const char *what = ri.held_most <= 1 ? "download_all waited for a response before sending the next request"
                                         : "download_all kept only some of the requests in flight and waited "
                                           "for those before sending the others";
    drv_finding("not-concurrent",
                "the server held every response until all %zu requests were in flight at once, but it "
                "never had more than %d at the same time: %s. Connect every socket and send every "
                "request first, then read the responses as poll says they are ready",
                B.n, ri.held_most, what);
}

/* Runs download_all on the batch with the checks every scenario shares.
 * Frees the bodies and stops the server. Returns the scenario's status. */
static int batch_run(int timeout_ms, const opts *o, const char *rendezvous_prefix)
{
    static bool before[MAX_FDS];
    fds_snapshot(before);
    if (o->forbid)
        drv_forbid_spawn("download_all must do all of its work in the calling thread, with "
                         "non-blocking sockets and poll: no thread, no process");
    int rc = download_all(B.items, B.n, timeout_ms);
    drv_forbid_spawn(NULL);
    if (o->fds) fds_compare(before);
    if (rendezvous_prefix) rendezvous_check(rendezvous_prefix);
    requests_check();
    if (!items_check()) rc_check(rc);
    for (size_t i = 0; i < B.n; i++) free(B.items[i].body);
    drv_http_stop(B.srv);
    return 0;
}

/* --- scenarios ---------------------------------------------------------------------- */

static const long sizes[] = {0, 1, 2, 13, 100, 1000, 1460, 4096, 9000, 65536, 100000, 1048576};
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* results [N] [fds]: N URLs, bodies from empty to a megabyte. */
static int scenario_results(int argc, char **argv)
{
    opts o = opts_parse(argc, argv);
    long n = opt_num(&o, 0, (long)NSIZES);
    if (!batch_start("/b/")) return 3;
    char path[160];
    for (long i = 0; i < n; i++) {
        long size = sizes[i % (long)NSIZES];
        /* the 9000-byte body comes in 5 pieces, 20 ms apart */
        snprintf(path, sizeof path, "/b/%ld?size=%ld%s", i, size, size == 9000 ? "&piece=2000&drip=20" : "");
        batch_add(path, 200, size, NULL);
    }
    batch_run(5000, &o, NULL);
    struct download none = {.url = NULL};
    int rc = download_all(&none, 0, 1000);
    if (rc != 0) drv_finding("wrong-result", "download_all(items, 0, 1000) returned %d, expected 0", rc);
    return 0;
}

/* statuses: 404, 500 and other statuses are complete responses. */
static int scenario_statuses(int argc, char **argv)
{
    opts o = opts_parse(argc, argv);
    if (!batch_start("/s/")) return 3;
    batch_add("/s/1?status=404&size=100", 404, 100, NULL);
    batch_add("/s/2?status=404&size=0", 404, 0, NULL);
    batch_add("/s/3?status=500&size=2000", 500, 2000, NULL);
    batch_add("/s/4?status=201&size=10", 201, 10, NULL);
    batch_add("/s/5?status=503&body=chunked&size=3000", 503, 3000, NULL);
    batch_add("/nothing/here", 404, 32, NULL);
    batch_add("/s/6", 200, 64, NULL);
    return batch_run(5000, &o, NULL);
}

/* concurrent N [forbid]: nobody gets an answer until all N requests are in
 * flight at once (the server's rendezvous). */
static int scenario_concurrent(int argc, char **argv)
{
    opts o = opts_parse(argc, argv);
    long n = opt_num(&o, 0, 16);
    char routes[64], path[160];
    snprintf(routes, sizeof routes, "/rv/,rendezvous=%ld", n);
    if (!batch_start(routes)) return 3;
    for (long i = 0; i < n; i++) {
        long size = (i * 7919) % 20000;
        snprintf(path, sizeof path, "/rv/%ld?size=%ld", i, size);
        batch_add(path, 200, size, NULL);
    }
    return batch_run((int)drv_patience_ms(10000), &o, "/rv/");
}

/* pieces: headers split across reads, slow drips, latency, big bodies,
 * header names in lower case. */
static int scenario_pieces(int argc, char **argv)
{
    opts o = opts_parse(argc, argv);
    if (!batch_start("/p/")) return 3;
    batch_add("/p/1?size=300&piece=3&drip=2", 200, 300, NULL);
    batch_add("/p/2?size=1000&piece=7&drip=1&lower", 200, 1000, NULL);
    batch_add("/p/3?size=5000&latency=150", 200, 5000, NULL);
    batch_add("/p/4?size=2500000", 200, 2500000, NULL);
    batch_add("/p/5?size=40000&piece=1000&drip=3", 200, 40000, NULL);
    batch_add("/p/6?size=1234&lower", 200, 1234, NULL);
    batch_add("/p/7?size=70000&piece=1", 200, 70000, NULL);
    return batch_run(5000, &o, NULL);
}

/* chunked: Transfer-Encoding: chunked, chunks of every size, split lines. */
static int scenario_chunked(int argc, char **argv)
{
    opts o = opts_parse(argc, argv);
    if (!batch_start("/c/,body=chunked")) return 3;
    static const long csizes[] = {0, 1, 5000, 100000, 1048576};
    char path[160];
    for (size_t i = 0; i < sizeof csizes / sizeof csizes[0]; i++) {
        snprintf(path, sizeof path, "/c/%zu?size=%ld", i, csizes[i]);
        batch_add(path, 200, csizes[i], NULL);
    }
    batch_add("/c/tiny?size=300&chunk=1", 200, 300, NULL);
    batch_add("/c/split?size=1000&piece=5&drip=1", 200, 1000, NULL);
    batch_add("/c/lower?size=20000&chunk=4096&lower", 200, 20000, NULL);
    batch_add("/c/nf?size=700&status=404", 404, 700, NULL);
    return batch_run(5000, &o, NULL);
}

/* framing: bodies that end when the server closes, and Content-Length
 * bodies on connections the server keeps open. */
static int scenario_framing(int argc, char **argv)
{
    opts o = opts_parse(argc, argv);
    if (!batch_start("/z/,body=close;/k/,keepopen")) return 3;
    batch_add("/z/1?size=0", 200, 0, NULL);
    batch_add("/z/2?size=10", 200, 10, NULL);
    batch_add("/z/3?size=200000", 200, 200000, NULL);
    batch_add("/z/4?size=5000&piece=100&drip=2", 200, 5000, NULL);
    batch_add("/k/1?size=0", 200, 0, NULL);
    batch_add("/k/2?size=500", 200, 500, NULL);
    batch_add("/k/3?size=100000", 200, 100000, NULL);
    return batch_run(1000, &o, NULL);
}

/* failures [fds]: a refused port, resets and bodies cut short fail alone. */
static int scenario_failures(int argc, char **argv)
{
    opts o = opts_parse(argc, argv);
    if (!batch_start("/ok/;/r/;/t/")) return 3;
    batch_add("/ok/1?size=1000", 200, 1000, NULL);
    batch_add_refused("/refused");
    batch_add("/r/1?reset", 0, 0, "the server resets the connection before answering");
    batch_add("/ok/2?size=100000", 200, 100000, NULL);
    batch_add("/r/2?reset=1000&size=100000", 0, 0, "the server resets the connection in the middle of the body");
    batch_add("/t/1?truncate=500&size=1000", 0, 0,
              "the server closes the connection after 500 of the 1000 bytes its Content-Length announced");
    batch_add("/t/2?truncate=0&size=10", 0, 0, "the server closes right after the headers, before the 10-byte body");
    batch_add("/t/3?body=chunked&truncate=2000&size=5000", 0, 0,
              "the server closes in the middle of a chunked body, before the last (empty) chunk");
    batch_add("/ok/3?status=404&size=50", 404, 50, NULL);
    batch_add("/ok/4", 200, 64, NULL);
    return batch_run(5000, &o, NULL);
}

/* stall [fds]: items whose server stops sending fail after timeout_ms
 * without progress; slow items that keep making progress complete. */
static int scenario_stall(int argc, char **argv)
{
    opts o = opts_parse(argc, argv);
    if (!batch_start("/ok/;/st/")) return 3;
    batch_add("/ok/1?size=3000", 200, 3000, NULL);
    batch_add("/st/1?stall", 0, 0, "the server accepts the request and never answers");
    batch_add("/st/2?stall=100&size=5000", 0, 0, "the server sends the headers and 100 bytes, then nothing");
    batch_add("/ok/2?latency=150&size=100", 200, 100, NULL);
    batch_add("/st/3?body=chunked&stall=200&size=5000", 0, 0, "the server stops in the middle of a chunked body");
    batch_add("/ok/3?size=1100&piece=100&drip=60", 200, 1100, NULL);
    batch_add("/ok/4?size=100000", 200, 100000, NULL);
    return batch_run(500, &o, NULL);
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"results", scenario_results, "[N] [fds]: N URLs with bodies up to a megabyte"},
        {"statuses", scenario_statuses, "404, 500, 201, 503 are complete responses"},
        {"concurrent", scenario_concurrent, "N [forbid]: all requests in flight at once (rendezvous)"},
        {"pieces", scenario_pieces, "responses in small pieces, latency, big bodies"},
        {"chunked", scenario_chunked, "Transfer-Encoding: chunked"},
        {"framing", scenario_framing, "close-delimited bodies, Content-Length on kept-open connections"},
        {"failures", scenario_failures, "[fds]: refused, reset and truncated items fail alone"},
        {"stall", scenario_stall, "[fds]: stalled items time out, slow ones complete"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
