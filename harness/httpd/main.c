/* main.c - the test server's command line and lifetime.
 *
 *   httpd [--routes ROUTES] [--deadline SECONDS] [--parent PID]
 *
 * Listens on 127.0.0.1 at a port the kernel picks and writes "port N\n" on
 * stdout; then reads commands on stdin (see httpd.h). It exits on "quit", at
 * the end of stdin, after the deadline (default 300 s), and when its parent
 * dies (PR_SET_PDEATHSIG; --parent closes the race of a parent that died
 * before that was set). It never connects anywhere. */
#include "httpd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct args {
    const char *routes;
    long deadline_s;
    long parent;
} args;

static int usage(void)
{
    fprintf(stderr,
            "usage: httpd [--routes ROUTES] [--deadline SECONDS] [--parent PID]\n");
    return 64;
}

/* Parses the command line into a. Returns 0, or -1 on a usage error. */
static int args_parse(int argc, char **argv, args *a)
{
    *a = (args){.routes = "", .deadline_s = 300, .parent = 0};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--routes") && v)
            a->routes = v;
        else if (!strcmp(argv[i], "--deadline") && v)
            a->deadline_s = atol(v);
        else if (!strcmp(argv[i], "--parent") && v)
            a->parent = atol(v);
        else
            return -1;
        i++;
    }
    return a->deadline_s > 0 ? 0 : -1;
}

/* A non-blocking socket listening on 127.0.0.1 (any port); -1 on failure.
 * Stores the port in *port. */
static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4096) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

/* Ties the server's life to its parent's. Returns -1 if the parent is gone. */
static int lifetime_bind(long parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (parent > 0 && getppid() != (pid_t)parent) return -1;
    return 0;
}

int main(int argc, char **argv)
{
    args a;
    if (args_parse(argc, argv, &a) < 0) return usage();
    if (lifetime_bind(a.parent) < 0) return 1;
    signal(SIGPIPE, SIG_IGN);
    routes rs;
    char err[256];
    if (routes_parse(a.routes, &rs, err, sizeof err) < 0) {
        fprintf(stderr, "httpd: %s\n", err);
        return 64;
    }
    int port;
    int lfd = listen_loopback(&port);
    if (lfd < 0) {
        perror("httpd: listen on 127.0.0.1");
        return 1;
    }
    char line[32];
    int n = snprintf(line, sizeof line, "port %d\n", port);
    if (write(STDOUT_FILENO, line, (size_t)n) != n) return 1;
    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    server_cfg cfg = {
        .rs = &rs,
        .listen_fd = lfd,
        .control_in = STDIN_FILENO,
        .control_out = STDOUT_FILENO,
        .deadline_ms = httpd_now_ms() + a.deadline_s * 1000,
    };
    int rc = server_run(&cfg);
    close(lfd);
    routes_free(&rs);
    stats_free();
    return rc;
}
