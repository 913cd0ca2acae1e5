/* client.c - a small blocking HTTP client for the test server's self-test.
 *
 *   client PORT PATH [--keep] [--timeout MS]
 *
 * Sends one GET (with "Connection: close" unless --keep), reads the response
 * and prints one line of facts about it:
 *   status=N framing=length|chunked|close len=N match=0|1 reads=N eof=0|1
 *   lower=0|1 error=NAME ms=N
 * match: the body is the server's content for PATH (harness/httpd/content.h).
 * With --keep the client stops after Content-Length bytes and reports eof=1
 * if the server then closed within 300 ms. */
#include "../../harness/httpd/content.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct resp {
    char *buf;
    size_t len, cap, head;
    int reads, status;
    bool eof, lower;
    const char *error, *framing;
    long length;
} resp;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads once, waiting at most ms. Returns bytes read, 0 at end, -1 on error or timeout. */
static ssize_t read_some(int fd, resp *r, long ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)ms) <= 0) {
        r->error = "timeout";
        return -1;
    }
    if (r->cap - r->len < 65536 && !(r->buf = realloc(r->buf, r->cap = r->cap * 2 + 65536))) abort();
    ssize_t k = recv(fd, r->buf + r->len, r->cap - r->len, 0);
    if (k < 0) r->error = errno == ECONNRESET ? "ECONNRESET" : "recv";
    if (k == 0) r->eof = true;
    if (k > 0) r->len += (size_t)k, r->reads++;
    return k;
}

/* Parses the head once it is in; returns true then. */
static bool head_parse(resp *r)
{
    char *end = r->len ? memmem(r->buf, r->len, "\r\n\r\n", 4) : NULL;
    if (!end) return false;
    *end = 0;
    r->head = (size_t)(end - r->buf) + 4;
    sscanf(r->buf, "HTTP/1.1 %d", &r->status);
    r->lower = strstr(r->buf, "\r\ncontent-type:") != NULL;
    char *cl = strcasestr(r->buf, "\r\ncontent-length:");
    r->framing = strcasestr(r->buf, "\r\ntransfer-encoding: chunked") ? "chunked" : cl ? "length" : "close";
    r->length = cl ? atol(cl + 17) : -1;
    return true;
}

/* Decodes the chunked body in place; returns its length, -1 if incomplete. */
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

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        printf("error=connect\n");
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 3) return 64;
    bool keep = false;
    long timeout = 5000;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--keep")) keep = true;
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) timeout = atol(argv[++i]);
    }
    const char *path = argv[2];
    long start = now_ms();
    int fd = connect_to(atoi(argv[1]));
    char req[2048];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", path,
                     keep ? "" : "Connection: close\r\n");
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) return 1;
    resp r = {.error = "none", .framing = "none"};
    bool have_head = false;
    while (!have_head || !keep || (long)(r.len - r.head) < r.length) {
        if (read_some(fd, &r, timeout) <= 0) break;
        if (!have_head) have_head = head_parse(&r);
    }
    if (keep && have_head && !r.eof) {
        r.error = "none";
        read_some(fd, &r, 300);
        if (!strcmp(r.error, "timeout")) r.error = "none";
    }
    long len = have_head ? (long)(r.len - r.head) : 0;
    if (have_head && !strcmp(r.framing, "chunked")) len = dechunk(r.buf + r.head, (size_t)len);
    bool match = len >= 0 && content_mismatch(content_seed(path), (unsigned char *)r.buf + r.head, (size_t)len) == (size_t)len;
    printf("status=%d framing=%s len=%ld match=%d reads=%d eof=%d lower=%d error=%s ms=%ld\n", r.status,
           r.framing, len, match, r.reads, r.eof, r.lower, r.error, now_ms() - start);
    close(fd);
    free(r.buf);
    return 0;
}
