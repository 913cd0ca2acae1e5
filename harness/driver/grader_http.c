/* grader_http.c - see grader_http.h.
 *
 * The server's path comes from GRADER_HTTPD (set by the grader; removed from
 * the environment before the student's code runs). The driver talks to it
 * over two pipes: the server's stdout announces "port N", then answers the
 * commands written to its stdin (harness/httpd/httpd.h). */
#include "grader_http.h"
#include "grader_driver.h"

#include "../httpd/content.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SERVERS 8
#define MAX_URLS    4096

struct drv_http {
    pid_t owner; /* the process that started it: only it may stop it */
    pid_t pid;
    int ctl_in;  /* commands to the server */
    int ctl_out; /* its answers */
    int port;
    int refused_fd; /* bound, not listening */
    int refused_port;
    char *urls[MAX_URLS];
    size_t nurls;
};

static char httpd_path[4096];
static drv_http *running[MAX_SERVERS];

/* Takes GRADER_HTTPD out of the environment before main runs. */
__attribute__((constructor)) static void http_env_take(void)
{
    const char *p = getenv("GRADER_HTTPD");
    if (p) snprintf(httpd_path, sizeof httpd_path, "%s", p);
    unsetenv("GRADER_HTTPD");
}

/* At exit: stops every server still running. */
static void running_stop_all(void)
{
    for (int i = 0; i < MAX_SERVERS; i++) drv_http_stop(running[i]);
}

/* Remembers s so that it is stopped at exit if the driver does not. */
static void running_add(drv_http *s)
{
    static bool registered;
    if (!registered) registered = atexit(running_stop_all) == 0;
    for (int i = 0; i < MAX_SERVERS; i++)
        if (!running[i]) {
            running[i] = s;
            return;
        }
}

/* The start failed: says why, where the spec can see it. */
static drv_http *start_failed(drv_http *s, const char *why)
{
    fprintf(stderr, "driver: the test server could not start: %s\n", why);
    drv_out("server_error", "%s", why);
    drv_http_stop(s);
    return NULL;
}

/* In the child: the control pipes become stdin and stdout, every other
 * descriptor is closed, then the server replaces us. Never returns. */
static void child_exec(int in_fd, int out_fd, const char *routes, pid_t parent)
{
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0) _exit(127);
    for (int fd = 3; fd < 4096; fd++) close(fd);
    char deadline[32], par[32];
    snprintf(deadline, sizeof deadline, "%ld", drv_patience_ms(120000) / 1000);
    snprintf(par, sizeof par, "%d", (int)parent);
    char *argv[] = {httpd_path,   "--routes", (char *)routes,
                    "--deadline", deadline,   "--parent",
                    par,          NULL};
    execv(httpd_path, argv);
    _exit(127);
}

/* Reads one line (without its newline) from fd into buf, waiting at most
 * timeout_ms in all. Returns 0, or -1 on end of file, error or timeout. */
static int line_read(int fd, char *buf, size_t len, long timeout_ms)
{
    size_t n = 0;
    while (n + 1 < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        ssize_t k = read(fd, buf + n, 1);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        if (buf[n] == '\n') break;
        n++;
    }
    buf[n] = 0;
    return 0;
}

/* Binds a socket to 127.0.0.1 without listening: connecting to its port is
 * refused. Returns 0 or -1. */
static int refused_open(drv_http *s)
{
    s->refused_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (s->refused_fd < 0 || bind(s->refused_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(s->refused_fd, (struct sockaddr *)&sa, &len) < 0)
        return -1;
    s->refused_port = ntohs(sa.sin_port);
    return 0;
}

/* Adds the default rendezvous patience (scaled for slow tools) to every
 * route that does not set one. Returns a malloc'd string. */
static char *routes_with_patience(const char *routes)
{
    char patience[48];
    snprintf(patience, sizeof patience, ",patience=%ld", drv_patience_ms(3000));
    size_t nroutes = 1;
    for (const char *p = routes; *p; p++) nroutes += *p == ';';
    char *out = malloc(strlen(routes) + nroutes * (strlen(patience) + 1) + 1);
    char *copy = strdup(routes), *save = NULL;
    if (!out || !copy) abort();
    size_t n = 0;
    for (char *r = strtok_r(copy, ";", &save); r; r = strtok_r(NULL, ";", &save)) {
        bool add = strstr(r, "rendezvous=") && !strstr(r, "patience=");
        n += (size_t)sprintf(out + n, "%s%s%s", n ? ";" : "", r, add ? patience : "");
    }
    out[n] = 0;
    free(copy);
    return out;
}

drv_http *drv_http_start(const char *routes)
{
    drv_http *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->ctl_in = s->ctl_out = s->refused_fd = -1;
    s->owner = getpid();
    if (!httpd_path[0])
        return start_failed(s,
                            "GRADER_HTTPD is not set (run the driver from the grader)");
    if (refused_open(s) < 0) return start_failed(s, "cannot bind a socket on 127.0.0.1");
    int to_server[2], from_server[2];
    if (pipe2(to_server, O_CLOEXEC) < 0) return start_failed(s, "pipe failed");
    if (pipe2(from_server, O_CLOEXEC) < 0) {
        close(to_server[0]), close(to_server[1]);
        return start_failed(s, "pipe failed");
    }
    char *full = routes_with_patience(routes ? routes : "");
    pid_t parent = getpid();
    s->pid = fork(); /* the real fork: driver support is not observed */
    if (s->pid == 0) child_exec(to_server[0], from_server[1], full, parent);
    free(full);
    close(to_server[0]);
    close(from_server[1]);
    s->ctl_in = to_server[1];
    s->ctl_out = from_server[0];
    if (s->pid < 0) return start_failed(s, "fork failed");
    running_add(s);
    char line[64];
    if (line_read(s->ctl_out, line, sizeof line, drv_patience_ms(10000)) < 0 ||
        sscanf(line, "port %d", &s->port) != 1)
        return start_failed(s, "it did not announce its port (bad routes?)");
    return s;
}

/* Keeps a formatted URL owned by s. */
static const char *url_keep(drv_http *s, int port, const char *path)
{
    if (s->nurls == MAX_URLS) abort();
    char *u = malloc(strlen(path) + 40);
    if (!u) abort();
    sprintf(u, "http://127.0.0.1:%d%s", port, path);
    return s->urls[s->nurls++] = u;
}

const char *drv_http_url(drv_http *s, const char *path)
{
    return url_keep(s, s->port, path);
}

const char *drv_http_refused_url(drv_http *s, const char *path)
{
    return url_keep(s, s->refused_port, path);
}

/* Sends a command line. Returns 0 or -1. */
static int command(drv_http *s, const char *cmd)
{
    size_t n = strlen(cmd);
    return write(s->ctl_in, cmd, n) == (ssize_t)n ? 0 : -1;
}

/* Reads "key value" lines up to "end"; calls take(ctx, key, value) for each. */
static int stats_read(drv_http *s, void (*take)(void *, const char *, const char *),
                      void *ctx)
{
    if (command(s, "stats\n") < 0) return -1;
    char line[1200];
    while (line_read(s->ctl_out, line, sizeof line, drv_patience_ms(5000)) == 0) {
        if (!strcmp(line, "end")) return 0;
        char *sp = strchr(line, ' ');
        if (sp) *sp = 0, take(ctx, line, sp + 1);
    }
    return -1;
}

/* Stores one statistics line into the drv_http_info at ctx. */
static void take_global(void *ctx, const char *key, const char *val)
{
    drv_http_info *st = ctx;
    long v = atol(val);
    if (!strcmp(key, "connections"))
        st->connections = v;
    else if (!strcmp(key, "open"))
        st->open = v;
    else if (!strcmp(key, "most_open"))
        st->most_open = v;
    else if (!strcmp(key, "requests"))
        st->requests = v;
    else if (!strcmp(key, "bad"))
        st->bad = v;
    else if (!strcmp(key, "bad_first"))
        snprintf(st->bad_first, sizeof st->bad_first, "%s", val);
}

int drv_http_stats(drv_http *s, drv_http_info *st)
{
    memset(st, 0, sizeof *st);
    return s ? stats_read(s, take_global, st) : -1;
}

typedef struct route_ask {
    const char *prefix;
    drv_http_route_info *rs;
    bool found;
} route_ask;

/* Stores the "route" line of the asked prefix into the route_ask at ctx. */
static void take_route(void *ctx, const char *key, const char *val)
{
    route_ask *a = ctx;
    size_t n = strlen(a->prefix);
    if (strcmp(key, "route") || strncmp(val, a->prefix, n) || val[n] != ' ') return;
    int gave_up = 0;
    sscanf(val + n, " requests=%ld held_most=%d gave_up=%d", &a->rs->requests,
           &a->rs->held_most, &gave_up);
    a->rs->gave_up = gave_up != 0;
    a->found = true;
}

int drv_http_route(drv_http *s, const char *prefix, drv_http_route_info *rs)
{
    memset(rs, 0, sizeof *rs);
    route_ask a = {prefix, rs, false};
    return s && stats_read(s, take_route, &a) == 0 && a.found ? 0 : -1;
}

long drv_http_count(drv_http *s, const char *path)
{
    char cmd[1100], line[64];
    snprintf(cmd, sizeof cmd, "count %s\n", path);
    long n;
    if (!s || command(s, cmd) < 0 ||
        line_read(s->ctl_out, line, sizeof line, drv_patience_ms(5000)) < 0 ||
        sscanf(line, "count %ld", &n) != 1)
        return -1;
    return n;
}

void drv_http_stop(drv_http *s)
{
    /* a child the student forked inherits s (and the exit handler): it must
     * not stop its parent's server */
    if (!s || s->owner != getpid()) return;
    for (int i = 0; i < MAX_SERVERS; i++)
        if (running[i] == s) running[i] = NULL;
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    if (s->ctl_in >= 0) close(s->ctl_in);
    if (s->ctl_out >= 0) close(s->ctl_out);
    if (s->refused_fd >= 0) close(s->refused_fd);
    for (size_t i = 0; i < s->nurls; i++) free(s->urls[i]);
    free(s);
}

size_t drv_http_body_mismatch(const char *path, const void *body, size_t len)
{
    return content_mismatch(content_seed(path), body, len);
}

void drv_http_body(const char *path, size_t off, void *buf, size_t n)
{
    content_fill(content_seed(path), off, buf, n);
}
