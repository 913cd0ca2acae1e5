/* httpd.h - the loopback HTTP/1.1 test server of the `download` exercise.
 *
 * One process, one thread, a poll() event loop on 127.0.0.1 (ephemeral port).
 * What it serves is set by routes (route.c); what it saw is kept for the
 * tests (stats.c). Control is a pair of pipes: the server writes "port N"
 * on stdout when it listens, then answers commands read from stdin
 * ("stats", "count PATH", "quit"); end-of-file on stdin ends it. */
#ifndef HTTPD_H
#define HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROUTE_PREFIX_MAX 128
#define PATH_MAX_BYTES   1024
#define REQUEST_MAX      16384

enum framing { FRAME_LENGTH, FRAME_CHUNKED, FRAME_CLOSE };
enum stop { STOP_NONE, STOP_STALL, STOP_RESET, STOP_TRUNCATE };

/* What a route serves. Options given in a request's query override these
 * for that request only (rendezvous and patience excepted). */
typedef struct route_opts {
    long size;       /* body bytes (content.h) */
    int status;      /* status code */
    long latency_ms; /* wait before the status line */
    int framing;     /* enum framing */
    long chunk;      /* chunk size; 0: varied sizes */
    long piece;      /* at most this many bytes per write */
    long drip_ms;    /* pause between writes */
    int stop;        /* enum stop: what happens at stop_at */
    long stop_at;    /* body bytes sent before stopping; -1: before the status line */
    bool keepopen;   /* never close after a response, whatever the client asked */
    bool lower;      /* header names in lower case */
} route_opts;

/* A route: a path prefix, its options, and what it saw. */
typedef struct route {
    char prefix[ROUTE_PREFIX_MAX];
    route_opts o;
    int rendezvous;   /* hold responses until this many requests wait at once */
    long patience_ms; /* give up on the rendezvous when nobody new came for this long */
    /* state and statistics */
    long requests;
    int held, held_most;
    int64_t last_arrival_ms;
    bool open, gave_up;
} route;

typedef struct routes {
    route *items;
    size_t len;
    route fallback; /* unmatched paths: 404 */
} routes;

/* route.c */
/* Parses ROUTES (see route.c) into rs. Returns 0, or -1 with a message in err. */
int routes_parse(const char *spec, routes *rs, char *err, size_t errlen);
/* Applies "k=v&k=v" options (a query string) to o. Unknown keys are ignored. */
void route_opts_query(route_opts *o, const char *query);
/* The route whose prefix is the longest match of path, or the fallback. */
route *routes_match(routes *rs, const char *path);
void routes_free(routes *rs);

/* stats.c: what the server saw */
void stats_request(const char *path);
void stats_bad(const char *why, const char *first_line);
void stats_conn_open(void);
void stats_conn_close(void);
long stats_count(const char *path);
/* Writes the statistics report (ends with "end") to fd. */
void stats_report(int fd, const routes *rs);
void stats_free(void);

/* server.c */
typedef struct server_cfg {
    routes *rs;
    int listen_fd;
    int control_in, control_out;
    int64_t deadline_ms; /* monotonic time at which the server exits */
} server_cfg;
/* Runs the event loop until quit, end of the control pipe or the deadline.
 * Returns the exit status. */
int server_run(server_cfg *cfg);

/* util */
int64_t httpd_now_ms(void);

#endif
