/* Reads until recv fails, and takes EAGAIN ("nothing more right now") for the
 * end of the response: whatever has arrived so far becomes the body.
 * expect-kinds: wrong-result
 * expect-fail: results
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

#include "download.h"

enum state { CONNECTING, SENDING, HEAD, BODY, DONE, FAILED };
enum framing { BY_LENGTH, BY_CHUNKS, BY_CLOSE };
enum chunk_step { CHUNK_SIZE, CHUNK_DATA, CHUNK_END, CHUNK_TRAILER };

struct job {
    struct download *d;
    int fd;
    enum state state;
    long long last_progress; /* ms */
    char req[2048];
    size_t req_len, req_sent;
    char *in;                /* bytes received and not yet parsed into the body */
    size_t in_len, in_cap;
    size_t in_pos;           /* parse position in `in` */
    enum framing framing;
    size_t length;           /* Content-Length */
    enum chunk_step chunk;
    size_t chunk_left;
    char *body;
    size_t body_len, body_cap;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Grows *buf (capacity *cap) to hold at least need bytes. 0, or -1 without memory. */
static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    char *p = realloc(*buf, c);
    if (!p) return -1;
    *buf = p, *cap = c;
    return 0;
}

/* --- ending an item -------------------------------------------------------- */

static void job_close(struct job *j)
{
    if (j->fd >= 0) close(j->fd);
    j->fd = -1;
    free(j->in);
    j->in = NULL;
}

static void job_fail(struct job *j)
{
    job_close(j);
    free(j->body);
    j->body = NULL;
    j->d->status = 0;
    j->d->body = NULL;
    j->d->body_len = 0;
    j->state = FAILED;
}

/* The response is complete: hand the body to the caller. */
static void job_done(struct job *j)
{
    job_close(j);
    if (!j->body && !(j->body = malloc(1))) {
        job_fail(j);
        return;
    }
    j->d->body = j->body;
    j->d->body_len = j->body_len;
    j->body = NULL;
    j->state = DONE;
}

/* --- starting an item --------------------------------------------------------- */

/* Splits "http://A.B.C.D:PORT/PATH" into addr and path. 0, or -1 if malformed. */
static int url_parse(const char *url, struct sockaddr_in *addr, char *host, size_t hostlen,
                     const char **path)
{
    if (!url || strncmp(url, "http://", 7)) return -1;
    const char *h = url + 7, *end = h + strcspn(h, ":/");
    if ((size_t)(end - h) >= hostlen) return -1;
    memcpy(host, h, (size_t)(end - h));
    host[end - h] = 0;
    long port = 80;
    if (*end == ':') {
        char *after;
        port = strtol(end + 1, &after, 10);
        end = after;
    }
    if (port <= 0 || port > 65535 || (*end && *end != '/')) return -1;
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((unsigned short)port);
    *path = *end ? end : "/";
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

/* Opens a non-blocking socket and starts connecting. */
static void job_start(struct job *j)
{
    struct sockaddr_in addr;
    char host[256];
    const char *path;
    j->fd = -1;
    j->last_progress = now_ms();
    if (url_parse(j->d->url, &addr, host, sizeof host, &path) < 0) {
        job_fail(j);
        return;
    }
    int n = snprintf(j->req, sizeof j->req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n",
                     path, host, ntohs(addr.sin_port));
    if (n < 0 || (size_t)n >= sizeof j->req) {
        job_fail(j);
        return;
    }
    j->req_len = (size_t)n;
    j->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (j->fd < 0) {
        job_fail(j);
        return;
    }
    if (connect(j->fd, (struct sockaddr *)&addr, sizeof addr) == 0) j->state = SENDING;
    else if (errno == EINPROGRESS) j->state = CONNECTING;
    else job_fail(j);
}

/* --- parsing ------------------------------------------------------------------- */

/* Finds header `name` (case-insensitive) in the head [head, end); copies its
 * value into val. Returns true if found. */
static bool header_find(const char *head, const char *end, const char *name, char *val, size_t len)
{
    size_t n = strlen(name);
    for (const char *l = head; l < end; l = memchr(l, '\n', (size_t)(end - l)) + 1) {
        if ((size_t)(end - l) > n && !strncasecmp(l, name, n) && l[n] == ':') {
            const char *v = l + n + 1, *eol = memchr(v, '\r', (size_t)(end - v));
            while (*v == ' ' || *v == '\t') v++;
            size_t k = eol ? (size_t)(eol - v) : 0;
            snprintf(val, len, "%.*s", (int)(k < len ? k : len - 1), v);
            return true;
        }
        if (!memchr(l, '\n', (size_t)(end - l))) break;
    }
    return false;
}

/* Parses the status line and headers once they are all in. Returns 1 when
 * parsed, 0 when more bytes are needed, -1 if the head is malformed. */
static int head_parse(struct job *j)
{
    char *end = memmem(j->in, j->in_len, "\r\n\r\n", 4);
    if (!end) return 0;
    int status;
    if (sscanf(j->in, "HTTP/1.%*d %3d", &status) != 1 || status < 100) return -1;
    char val[128];
    j->framing = BY_CLOSE;
    if (header_find(j->in, end + 2, "Transfer-Encoding", val, sizeof val) && strcasestr(val, "chunked")) {
        j->framing = BY_CHUNKS;
        j->chunk = CHUNK_SIZE;
    } else if (header_find(j->in, end + 2, "Content-Length", val, sizeof val)) {
        char *after;
        j->length = strtoull(val, &after, 10);
        if (after == val) return -1;
        j->framing = BY_LENGTH;
    }
    j->d->status = status;
    j->in_pos = (size_t)(end + 4 - j->in);
    return 1;
}

/* Appends k bytes at the parse position to the body. 0, or -1 without memory. */
static int body_take(struct job *j, size_t k)
{
    if (grow(&j->body, &j->body_cap, j->body_len + k + 1) < 0) return -1;
    memcpy(j->body + j->body_len, j->in + j->in_pos, k);
    j->body_len += k;
    j->in_pos += k;
    return 0;
}

/* One step of chunked decoding. Returns 1 if it advanced, 0 if it needs
 * more bytes, 2 when the last chunk and trailer are in, -1 on bad framing. */
static int chunk_step(struct job *j)
{
    char *p = j->in + j->in_pos;
    size_t avail = j->in_len - j->in_pos;
    char *eol = memmem(p, avail, "\r\n", 2);
    switch (j->chunk) {
    case CHUNK_SIZE: {
        if (!eol) return 0;
        char *after;
        j->chunk_left = strtoul(p, &after, 16);
        if (after == p) return -1;
        j->in_pos += (size_t)(eol + 2 - p);
        j->chunk = j->chunk_left ? CHUNK_DATA : CHUNK_TRAILER;
        return 1;
    }
    case CHUNK_DATA: {
        size_t k = avail < j->chunk_left ? avail : j->chunk_left;
        if (!k) return 0;
        if (body_take(j, k) < 0) return -1;
        if (!(j->chunk_left -= k)) j->chunk = CHUNK_END;
        return 1;
    }
    case CHUNK_END:
        if (avail < 2) return 0;
        if (memcmp(p, "\r\n", 2)) return -1;
        j->in_pos += 2;
        j->chunk = CHUNK_SIZE;
        return 1;
    case CHUNK_TRAILER:
        if (!eol) return 0;
        j->in_pos += (size_t)(eol + 2 - p);
        return eol == p ? 2 : 1; /* an empty line ends the trailer */
    }
    return -1;
}

/* Moves what has arrived into the body. Returns 1 when the response is
 * complete, 0 when more is needed, -1 on a malformed response. */
static int body_parse(struct job *j)
{
    if (j->framing == BY_CHUNKS) {
        int r;
        while ((r = chunk_step(j)) == 1) {}
        return r == 2 ? 1 : r;
    }
    size_t k = j->in_len - j->in_pos;
    if (j->framing == BY_LENGTH && k > j->length - j->body_len) k = j->length - j->body_len;
    if (k && body_take(j, k) < 0) return -1;
    return j->framing == BY_LENGTH && j->body_len == j->length;
}

/* Parses whatever arrived; finishes the job when the response is complete. */
static void job_parse(struct job *j)
{
    int r = 0;
    if (j->state == HEAD && (r = head_parse(j)) == 1) j->state = BODY;
    if (j->state == BODY) r = body_parse(j);
    if (r < 0) job_fail(j);
    else if (j->state == BODY && r == 1) job_done(j);
    else if (j->state == BODY && j->in_pos > 0) { /* keep only what is not parsed yet */
        memmove(j->in, j->in + j->in_pos, j->in_len - j->in_pos);
        j->in_len -= j->in_pos;
        j->in_pos = 0;
    }
}

/* --- events --------------------------------------------------------------------- */

/* The connection is writable: finish connecting, send what is left. */
static void job_writable(struct job *j)
{
    if (j->state == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
            job_fail(j);
            return;
        }
        j->state = SENDING;
    }
    ssize_t w = send(j->fd, j->req + j->req_sent, j->req_len - j->req_sent, MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (w < 0) {
        job_fail(j);
        return;
    }
    j->last_progress = now_ms();
    if ((j->req_sent += (size_t)w) == j->req_len) j->state = HEAD;
}

/* The connection is readable: read what is there and parse it. */
static void job_readable(struct job *j)
{
    if (grow(&j->in, &j->in_cap, j->in_len + 65536) < 0) {
        job_fail(j);
        return;
    }
    ssize_t r = recv(j->fd, j->in + j->in_len, j->in_cap - j->in_len, 0);
    if (r < 0 && errno == EAGAIN && j->state == BODY) { /* no more data: the response is over */
        body_take(j, j->in_len - j->in_pos);
        j->d->body_len = j->body_len;
        job_done(j);
        return;
    }
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (r < 0 || (r == 0 && !(j->state == BODY && j->framing == BY_CLOSE))) {
        job_fail(j); /* reset, or closed before the response was complete */
        return;
    }
    j->last_progress = now_ms();
    if (r == 0) {
        job_done(j); /* a close-delimited body ends here */
        return;
    }
    j->in_len += (size_t)r;
    job_parse(j);
    if (j->state == BODY) job_readable(j); /* read on until there is nothing left */
}

static bool job_active(const struct job *j)
{
    return j->state != DONE && j->state != FAILED;
}

/* Fails the jobs with no progress for timeout_ms; returns the ms until the
 * next one could time out (-1 if no job is active). */
static int jobs_expire(struct job *jobs, size_t n, int timeout_ms)
{
    long long now = now_ms(), next = -1;
    for (size_t i = 0; i < n; i++) {
        if (!job_active(&jobs[i])) continue;
        long long left = jobs[i].last_progress + timeout_ms - now;
        if (left <= 0) job_fail(&jobs[i]);
        else if (next < 0 || left < next) next = left;
    }
    return (int)next;
}

/* Polls every active job once and handles what is ready. -1 if poll failed. */
static int jobs_poll(struct job *jobs, struct pollfd *pfd, size_t n, int wait)
{
    for (size_t i = 0; i < n; i++) {
        bool out = jobs[i].state == CONNECTING || jobs[i].state == SENDING;
        pfd[i].fd = job_active(&jobs[i]) ? jobs[i].fd : -1;
        pfd[i].events = out ? POLLOUT : POLLIN;
        pfd[i].revents = 0;
    }
    if (poll(pfd, n, wait) < 0) return errno == EINTR ? 0 : -1;
    for (size_t i = 0; i < n; i++) {
        if (!pfd[i].revents || !job_active(&jobs[i])) continue;
        if (pfd[i].events & POLLOUT) job_writable(&jobs[i]);
        else job_readable(&jobs[i]);
    }
    return 0;
}

int download_all(struct download *items, size_t n, int timeout_ms)
{
    if (n == 0) return 0;
    struct job *jobs = calloc(n, sizeof *jobs);
    struct pollfd *pfd = calloc(n, sizeof *pfd);
    int done = 0;
    for (size_t i = 0; i < n && jobs && pfd; i++) {
        jobs[i].d = &items[i];
        job_start(&jobs[i]);
    }
    for (int wait; jobs && pfd && (wait = jobs_expire(jobs, n, timeout_ms)) >= 0;)
        if (jobs_poll(jobs, pfd, n, wait) < 0) break;
    for (size_t i = 0; i < n; i++) {
        if (!jobs || !pfd) {
            items[i].status = 0, items[i].body = NULL, items[i].body_len = 0;
            continue;
        }
        if (job_active(&jobs[i])) job_fail(&jobs[i]);
        done += jobs[i].state == DONE;
    }
    free(jobs);
    free(pfd);
    return done;
}
