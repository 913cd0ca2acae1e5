/* server.c - the test server's event loop: accepts connections, reads
 * requests, holds them for rendezvous and latency, writes responses in
 * pieces, stalls or resets when a route says so. One thread, poll(). */
#include "conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_MS 5000

int64_t httpd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static conn **conns;
static size_t nconns, cap_conns;
static bool accept_paused; /* out of descriptors: wait for a close */

/* --- opening and closing ------------------------------------------------ */

/* Makes room for one more connection. 0, or -1 without memory. */
static int conns_reserve(void)
{
    if (nconns < cap_conns) return 0;
    size_t cap = cap_conns ? cap_conns * 2 : 64;
    conn **grown = realloc(conns, cap * sizeof *grown);
    if (!grown) return -1;
    conns = grown, cap_conns = cap;
    return 0;
}

/* Starts tracking an accepted connection (owns fd from now on). */
static void conn_add(int fd)
{
    conn *c = calloc(1, sizeof *c);
    if (!c || conns_reserve() < 0) {
        free(c);
        close(fd);
        return;
    }
    c->fd = fd;
    c->state = C_READ;
    conns[nconns++] = c;
    stats_conn_open();
}

/* Closes c; with reset, the client gets a connection reset (RST). */
static void conn_close(conn *c, bool reset)
{
    if (c->state == C_DEAD) return;
    if (c->state == C_HOLD) c->home->held--;
    if (reset) {
        struct linger l = {1, 0};
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(c->fd);
    c->state = C_DEAD;
    accept_paused = false;
    stats_conn_close();
}

/* Frees the closed connections. */
static void conns_sweep(void)
{
    size_t j = 0;
    for (size_t i = 0; i < nconns; i++) {
        if (conns[i]->state == C_DEAD)
            free(conns[i]);
        else
            conns[j++] = conns[i];
    }
    nconns = j;
}

/* --- the response --------------------------------------------------------- */

/* Does what the route says at its stop point. */
static void conn_stop(conn *c)
{
    if (c->o.stop == STOP_STALL) {
        c->state = C_STALL;
    } else if (c->o.stop == STOP_RESET) {
        conn_close(c, true);
    } else {
        shutdown(c->fd, SHUT_WR);
        c->state = C_DRAIN;
        c->wake_ms = httpd_now_ms() + DRAIN_MS;
    }
}

/* The response is sent: close, or wait for the client's next request. */
static void conn_finish(conn *c)
{
    if (c->close_after) {
        shutdown(c->fd, SHUT_WR);
        c->state = C_DRAIN;
        c->wake_ms = httpd_now_ms() + DRAIN_MS;
        return;
    }
    c->state = C_READ;
    c->in_len = 0;
}

/* Sends as much of the response as the socket and the route's pacing allow. */
static void conn_write(conn *c)
{
    for (;;) {
        if (c->out_off == c->out_len) {
            size_t cap =
                (size_t)c->o.piece < sizeof c->out ? (size_t)c->o.piece : sizeof c->out;
            c->out_len = respond_fill(c, c->out, cap);
            c->out_off = 0;
            if (c->out_len == 0) {
                if (c->phase == P_DONE)
                    conn_finish(c);
                else
                    conn_stop(c);
                return;
            }
        }
        ssize_t w =
            send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (w < 0) {
            conn_close(c, false);
            return;
        }
        c->out_off += (size_t)w;
        if (c->out_off == c->out_len && c->o.drip_ms > 0) {
            c->wake_ms = httpd_now_ms() + c->o.drip_ms;
            return;
        }
    }
}

/* Starts the response once latency has passed (or right away). */
static void conn_respond(conn *c)
{
    if (c->o.latency_ms > 0 && c->state != C_WAIT) {
        c->state = C_WAIT;
        c->wake_ms = httpd_now_ms() + c->o.latency_ms;
        return;
    }
    c->wake_ms = 0;
    if (c->o.stop != STOP_NONE && c->o.stop_at < 0) {
        conn_stop(c);
        return;
    }
    respond_begin(c);
    c->state = C_WRITE;
    conn_write(c);
}

/* Answers every request held by route r's rendezvous, for good. */
static void rendezvous_open(route *r, bool gave_up)
{
    r->open = true;
    r->gave_up = gave_up;
    for (size_t i = 0; i < nconns; i++)
        if (conns[i]->state == C_HOLD && conns[i]->home == r) {
            r->held--;
            conns[i]->state = C_WRITE; /* no longer held */
            conn_respond(conns[i]);
        }
}

/* Gives up the rendezvous of routes where nobody new came for their patience. */
static void rendezvous_expire(routes *rs, int64_t now)
{
    for (size_t i = 0; i < rs->len; i++) {
        route *r = &rs->items[i];
        if (r->rendezvous > 0 && !r->open && r->held > 0 &&
            now - r->last_arrival_ms >= r->patience_ms)
            rendezvous_open(r, true);
    }
}

/* --- the request -------------------------------------------------------------- */

/* Finds the value of header `name` (case-insensitive) in the request head;
 * copies it into val. Returns true if found. */
static bool header_get(const char *head, const char *name, char *val, size_t len)
{
    size_t n = strlen(name);
    for (const char *l = strchr(head, '\n'); l; l = strchr(l, '\n')) {
        l++;
        if (strncasecmp(l, name, n) || l[n] != ':') continue;
        const char *v = l + n + 1;
        while (*v == ' ' || *v == '\t') v++;
        size_t k = strcspn(v, "\r\n");
        snprintf(val, len, "%.*s", (int)(k < len ? k : len - 1), v);
        return true;
    }
    return false;
}

/* Parses the request line and headers in c->in (NUL-terminated). Returns
 * NULL and sets c->path and c->close_after, or what is wrong with it. */
static const char *request_parse(conn *c)
{
    char method[16], target[PATH_MAX_BYTES], version[16], host[256], connection[256];
    if (sscanf(c->in, "%15s %1023s %15s", method, target, version) != 3)
        return "no request line";
    if (strcmp(method, "GET")) return "not a GET request";
    if (strncmp(version, "HTTP/1.", 7)) return "not HTTP/1.x";
    const char *path = target;
    if (!strncmp(path, "http://", 7)) { /* absolute form */
        path = strchr(path + 7, '/');
        if (!path) path = "/";
    }
    if (path[0] != '/') return "the path does not start with /";
    bool http11 = !strcmp(version, "HTTP/1.1");
    if (http11 && !header_get(c->in, "Host", host, sizeof host)) return "no Host header";
    bool close = !http11;
    if (header_get(c->in, "Connection", connection, sizeof connection))
        close = strcasestr(connection, "close") != NULL;
    snprintf(c->path, sizeof c->path, "%s", path);
    c->close_after = close;
    return NULL;
}

/* A whole request is in c->in: decide how to answer it. */
static void request_dispatch(conn *c, routes *rs)
{
    const char *wrong = request_parse(c);
    if (wrong) {
        c->in[strcspn(c->in, "\r\n")] = 0;
        stats_bad(wrong, c->in);
        respond_bad(c);
        c->state = C_WRITE;
        conn_write(c);
        return;
    }
    stats_request(c->path);
    route *r = routes_match(rs, c->path);
    c->home = r;
    c->o = r->o;
    const char *q = strchr(c->path, '?');
    if (q) route_opts_query(&c->o, q + 1);
    if (c->o.keepopen) c->close_after = false;
    if (c->o.framing == FRAME_CLOSE) c->close_after = true;
    r->requests++;
    if (r->rendezvous > 0 && !r->open) {
        c->state = C_HOLD;
        r->last_arrival_ms = httpd_now_ms();
        if (++r->held > r->held_most) r->held_most = r->held;
        if (r->held >= r->rendezvous) rendezvous_open(r, false);
        return;
    }
    conn_respond(c);
}

/* Reads from c: a request in C_READ, anything else is read and dropped
 * (so a client's close is seen). */
static void conn_read(conn *c, routes *rs)
{
    char scratch[4096];
    bool reading = c->state == C_READ;
    char *buf = reading ? c->in + c->in_len : scratch;
    size_t room = reading ? sizeof c->in - 1 - c->in_len : sizeof scratch;
    ssize_t r = recv(c->fd, buf, room, 0);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (r <= 0) {
        /* a client that only shut its write side still gets its response;
         * a second end-of-file (a hang-up) closes */
        if (r < 0 || c->peer_eof || c->state == C_READ || c->state == C_STALL ||
            c->state == C_DRAIN)
            conn_close(c, false);
        c->peer_eof = true;
        return;
    }
    if (!reading) return;
    c->in_len += (size_t)r;
    c->in[c->in_len] = 0;
    if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n"))
        request_dispatch(c, rs);
    else if (c->in_len == sizeof c->in - 1) {
        stats_bad("a request head longer than 16 KiB", "");
        respond_bad(c);
        c->state = C_WRITE;
        conn_write(c);
    }
}

/* --- the loop ------------------------------------------------------------------ */

/* Accepts every pending connection (non-blocking, no delay on small writes);
 * pauses accepting when out of descriptors. */
static void accept_all(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            int one = 1; /* pieces go out as written */
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            conn_add(fd);
            continue;
        }
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            accept_paused = true;
        return;
    }
}

/* Runs the timers that are due; returns ms until the next one (-1: none). */
static long timers_run(routes *rs, int64_t deadline)
{
    int64_t now = httpd_now_ms(), next = deadline;
    rendezvous_expire(rs, now);
    for (size_t i = 0; i < nconns; i++) {
        conn *c = conns[i];
        if (c->state == C_DEAD || !c->wake_ms) continue;
        if (c->wake_ms <= now) {
            c->wake_ms = 0;
            if (c->state == C_WAIT)
                conn_respond(c);
            else if (c->state == C_DRAIN)
                conn_close(c, false);
            else if (c->state == C_WRITE)
                conn_write(c);
        }
        if (c->state != C_DEAD && c->wake_ms && c->wake_ms < next) next = c->wake_ms;
    }
    for (size_t i = 0; i < rs->len; i++) {
        route *r = &rs->items[i];
        if (r->rendezvous > 0 && !r->open && r->held > 0 &&
            r->last_arrival_ms + r->patience_ms < next)
            next = r->last_arrival_ms + r->patience_ms;
    }
    long wait = (long)(next - httpd_now_ms());
    return wait < 0 ? 0 : wait;
}

/* Handles one command line from the control pipe. Returns false on quit. */
static bool control_line(server_cfg *cfg, const char *line)
{
    if (!strcmp(line, "stats")) {
        stats_report(cfg->control_out, cfg->rs);
    } else if (!strncmp(line, "count ", 6)) {
        char out[64];
        int n = snprintf(out, sizeof out, "count %ld\n", stats_count(line + 6));
        if (write(cfg->control_out, out, (size_t)n) < 0) return false;
    } else if (!strcmp(line, "quit")) {
        return false;
    }
    return true;
}

/* Reads commands from the control pipe. Returns false on quit or its end. */
static bool control_read(server_cfg *cfg)
{
    static char buf[4096];
    static size_t len;
    ssize_t r = read(cfg->control_in, buf + len, sizeof buf - 1 - len);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (r <= 0) return false;
    len += (size_t)r;
    buf[len] = 0;
    char *start = buf, *nl;
    while ((nl = strchr(start, '\n'))) {
        *nl = 0;
        if (!control_line(cfg, start)) return false;
        start = nl + 1;
    }
    len = strlen(start);
    memmove(buf, start, len);
    if (len == sizeof buf - 1) len = 0; /* a line too long: dropped */
    return true;
}

/* The events c waits for, 0 for none. */
static short conn_events(const conn *c)
{
    short ev = c->peer_eof ? 0 : POLLIN;
    if (c->state == C_WRITE && !c->wake_ms) ev |= POLLOUT;
    return ev;
}

/* Makes pfd (capacity *cap) hold the control pipe, the listening socket and
 * every connection. Returns how many entries, or 0 without memory. */
static size_t pollfds_build(server_cfg *cfg, struct pollfd **pfd, size_t *cap)
{
    if (*cap < nconns + 2) {
        struct pollfd *grown = realloc(*pfd, (nconns + 64) * sizeof *grown);
        if (!grown) return 0;
        *pfd = grown, *cap = nconns + 64;
    }
    struct pollfd *p = *pfd;
    p[0] = (struct pollfd){.fd = cfg->control_in, .events = POLLIN};
    p[1] = (struct pollfd){.fd = accept_paused ? -1 : cfg->listen_fd, .events = POLLIN};
    for (size_t i = 0; i < nconns; i++)
        p[i + 2] = (struct pollfd){.fd = conns[i]->fd, .events = conn_events(conns[i])};
    return nconns + 2;
}

/* One turn of the loop: timers, poll, events. Returns 1 to go on, 0 when
 * told to stop, -1 on an error. */
static int loop_turn(server_cfg *cfg, struct pollfd **pfd, size_t *cap)
{
    if (httpd_now_ms() >= cfg->deadline_ms) return 0;
    long wait = timers_run(cfg->rs, cfg->deadline_ms);
    conns_sweep();
    size_t n = pollfds_build(cfg, pfd, cap);
    if (!n) return -1;
    struct pollfd *p = *pfd;
    if (poll(p, n, accept_paused && wait > 100 ? 100 : (int)wait) < 0)
        return errno == EINTR ? 1 : -1;
    if (p[0].revents && !control_read(cfg)) return 0;
    if (p[1].revents & POLLIN) accept_all(cfg->listen_fd);
    for (size_t i = 0; i + 2 < n; i++) { /* accept_all only appends */
        conn *c = conns[i];
        short re = p[i + 2].revents;
        if (c->state != C_DEAD && (re & (POLLIN | POLLHUP | POLLERR)))
            conn_read(c, cfg->rs);
        if (c->state == C_WRITE && !c->wake_ms && (re & POLLOUT)) conn_write(c);
    }
    return 1;
}

int server_run(server_cfg *cfg)
{
    struct pollfd *pfd = NULL;
    size_t cap = 0;
    int r;
    while ((r = loop_turn(cfg, &pfd, &cap)) > 0) {
    }
    free(pfd);
    return r < 0 ? 1 : 0;
}
