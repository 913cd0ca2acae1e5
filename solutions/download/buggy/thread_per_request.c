/* Gives every item a thread of its own that downloads it with blocking
 * sockets: concurrent, but the exercise is about doing it from one thread
 * with an event loop.
 * expect-kinds: forbidden-call
 * expect-fail: one-thread
 */
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "download.h"

/* Connects to the URL's host with a blocking socket; returns the socket and
 * points *path into url, or -1. */
static int open_url(const char *url, const char **path, char *host, size_t hostlen, int *port)
{
    if (strncmp(url, "http://", 7)) return -1;
    const char *h = url + 7, *colon = strchr(h, ':');
    if (!colon || (size_t)(colon - h) >= hostlen) return -1;
    memcpy(host, h, (size_t)(colon - h));
    host[colon - h] = 0;
    *port = atoi(colon + 1);
    *path = strchr(colon, '/');
    if (!*path) *path = "/";
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)*port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Decodes a chunked body in place; returns its length or -1. */
static long dechunk(char *b, size_t len)
{
    size_t in = 0, out = 0;
    for (;;) {
        char *eol = memmem(b + in, len - in, "\r\n", 2);
        if (!eol) return -1;
        size_t n = strtoul(b + in, NULL, 16);
        in = (size_t)(eol - b) + 2;
        if (n == 0) return (long)out;
        if (in + n + 2 > len) return -1;
        memmove(b + out, b + in, n);
        out += n, in += n + 2;
    }
}

/* Downloads one item: sends the request, reads until the server closes,
 * then parses the response. Returns 1 if complete, 0 if it failed. */
static int fetch(struct download *d, int timeout_ms)
{
    const char *path;
    char host[256], req[2048];
    int port;
    d->status = 0, d->body = NULL, d->body_len = 0;
    int fd = open_url(d->url, &path, host, sizeof host, &port);
    if (fd < 0) return 0;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n", path, host, port);
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        close(fd);
        return 0;
    }
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap);
    ssize_t r;
    while (buf && (r = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
        len += (size_t)r;
        if (cap - len < 4096) buf = realloc(buf, cap *= 2);
    }
    close(fd);
    if (!buf || r < 0) {
        free(buf);
        return 0;
    }
    buf[len] = 0;
    char *end = strstr(buf, "\r\n\r\n");
    int status;
    if (!end || sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
        free(buf);
        return 0;
    }
    *end = 0;
    char *body = end + 4;
    long blen = (long)(len - (size_t)(body - buf));
    char *cl = strcasestr(buf, "\r\nContent-Length:");
    if (strcasestr(buf, "\r\nTransfer-Encoding: chunked")) blen = dechunk(body, (size_t)blen);
    else if (cl && atol(cl + 17) != blen) blen = -1;
    if (blen < 0) {
        free(buf);
        return 0;
    }
    d->body = malloc((size_t)blen + 1);
    memcpy(d->body, body, (size_t)blen);
    d->body_len = (size_t)blen;
    d->status = status;
    free(buf);
    return 1;
}

struct arg {
    struct download *d;
    int timeout_ms;
    int ok;
};

static void *worker(void *p)
{
    struct arg *a = p;
    a->ok = fetch(a->d, a->timeout_ms);
    return NULL;
}

int download_all(struct download *items, size_t n, int timeout_ms)
{
    pthread_t *t = calloc(n ? n : 1, sizeof *t);
    struct arg *a = calloc(n ? n : 1, sizeof *a);
    char *started = calloc(n ? n : 1, 1);
    int done = 0;
    for (size_t i = 0; i < n; i++) {
        a[i] = (struct arg){&items[i], timeout_ms, 0};
        items[i].status = 0, items[i].body = NULL, items[i].body_len = 0;
        started[i] = pthread_create(&t[i], NULL, worker, &a[i]) == 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (started[i]) pthread_join(t[i], NULL);
        done += a[i].ok;
    }
    free(t);
    free(a);
    free(started);
    return done;
}
