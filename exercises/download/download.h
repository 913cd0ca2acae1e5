/* download.h - the `download` exercise: asynchronous downloads from one thread.
 * Do not change this file; implement download_all in download.c. */
#ifndef DOWNLOAD_H
#define DOWNLOAD_H

#include <stddef.h>

struct download {
    const char *url;   /* in: "http://HOST:PORT/PATH"; plain HTTP/1.1, no TLS */
    int status;        /* out: HTTP status code, or 0 if it failed */
    char *body;        /* out: malloc'd body (caller frees); NULL if it failed */
    size_t body_len;   /* out */
};

/* Downloads every item at the same time from the calling thread alone, with
 * non-blocking sockets and poll/epoll: all requests are in flight at once.
 * An item with no progress for timeout_ms fails (status 0). Returns how many
 * items got a complete response. Creates no thread and no process. */
int download_all(struct download *items, size_t n, int timeout_ms);

#endif
