/* grader_http.h - starting the loopback HTTP test server from a driver.
 *
 * The server (harness/httpd) is a child process of the driver, started with
 * fork and exec by driver support itself: the student's fork/exec observers
 * never see it. It listens on 127.0.0.1 only, and dies with the driver.
 *
 *   drv_http *s = drv_http_start("/a/,size=1000;/rv/,rendezvous=8");
 *   char *url = drv_http_url(s, "/a/1");   // "http://127.0.0.1:PORT/a/1"
 *   ... the student downloads ...
 *   drv_http_route_info rv;
 *   drv_http_route(s, "/rv/", &rv);         // rv.held_most: most requests held at once
 *   drv_http_stop(s);
 *
 * Routes are described in harness/httpd/route.c. */
#ifndef GRADER_HTTP_H
#define GRADER_HTTP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct drv_http drv_http;

/* What the server saw since it started. */
typedef struct drv_http_info {
    long connections;    /* accepted */
    long open;           /* open right now */
    long most_open;      /* most open at the same time */
    long requests;       /* complete requests */
    long bad;            /* malformed requests (answered 400) */
    char bad_first[160]; /* what was wrong with the first malformed request: "no Host
                            header in \"GET / HTTP/1.1\"" */
} drv_http_info;

/* What one route saw. */
typedef struct drv_http_route_info {
    long requests;
    int held_most; /* rendezvous routes: most requests held at the same time */
    bool gave_up;  /* the rendezvous gave up waiting (patience ran out) */
} drv_http_route_info;

/* Starts the server with these routes; the rendezvous patience of routes that
 * do not set one is drv_patience_ms(3000). Returns NULL (and says why on
 * stderr and as the output "server_error") if it could not start. Stop it
 * with drv_http_stop; one left running is stopped at exit. */
drv_http *drv_http_start(const char *routes);
/* "http://127.0.0.1:PORT" followed by path. Owned by s; valid until stop. */
const char *drv_http_url(drv_http *s, const char *path);
/* A URL whose port refuses connections (bound, never listening, for as long
 * as s runs). Owned by s. */
const char *drv_http_refused_url(drv_http *s, const char *path);
/* Fills st. Returns 0, or -1 if the server did not answer. */
int drv_http_stats(drv_http *s, drv_http_info *st);
/* Fills rs for the route with exactly this prefix. 0, or -1 if unknown. */
int drv_http_route(drv_http *s, const char *prefix, drv_http_route_info *rs);
/* How many requests the server received for this exact path (-1: no answer). */
long drv_http_count(drv_http *s, const char *path);
/* Kills the server, reaps it, frees s and its URLs. NULL is fine. */
void drv_http_stop(drv_http *s);

/* The body the server sends for path has this byte at offset i; returns the
 * first offset where body (len bytes) differs from the first len bytes of
 * it, or len if it does not. */
size_t drv_http_body_mismatch(const char *path, const void *body, size_t len);
/* Fills buf with body bytes [off, off + n) of path. */
void drv_http_body(const char *path, size_t off, void *buf, size_t n);

#endif
