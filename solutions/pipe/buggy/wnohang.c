/* Reaps its child with WNOHANG: right after the output ends the child has
 * closed its end but not exited yet, so waitpid finds no status, the
 * untouched status reads "exited with 0" and the child is left a zombie.
 * expect-kinds: zombie
 * expect-fail: no-zombies child-fails
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipe.h"

/* A growing buffer for the child's output. */
struct buf {
    char *data;
    size_t len, cap;
};

/* Reads what is available into b. 1: more to come, 0: end-of-file, -1: error. */
static int read_some(int fd, struct buf *b)
{
    if (b->cap - b->len < 65536) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        char *d = realloc(b->data, cap);
        if (!d) return -1;
        b->data = d;
        b->cap = cap;
    }
    ssize_t r = read(fd, b->data + b->len, b->cap - b->len);
    if (r < 0) return errno == EINTR || errno == EAGAIN ? 1 : -1;
    b->len += (size_t)r;
    return r > 0;
}

/* Writes what the pipe takes now. 1: more to write, 0: done or the child
 * stopped reading (EPIPE), -1: error. */
static int write_some(int fd, const char *in, size_t len, size_t *off)
{
    ssize_t w = write(fd, in + *off, len - *off);
    if (w < 0) return errno == EINTR || errno == EAGAIN ? 1 : errno == EPIPE ? 0 : -1;
    *off += (size_t)w;
    return *off < len;
}

/* Feeds input to fd `to` and collects fd `from` into b, until the child's
 * output ends. Closes both descriptors. 0, or -1. */
static int exchange(int to, int from, const char *in, size_t len, struct buf *b)
{
    size_t off = 0;
    int rc = 0;
    fcntl(to, F_SETFL, O_NONBLOCK);
    if (len == 0) close(to), to = -1;
    while (from >= 0) {
        struct pollfd pf[2] = {{from, POLLIN, 0}, {to, POLLOUT, 0}};
        if (poll(pf, to >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR) continue;
            rc = -1;
            break;
        }
        if (to >= 0 && pf[1].revents) {
            int more = write_some(to, in, len, &off);
            if (more <= 0) close(to), to = -1;
            if (more < 0) rc = -1;
        }
        if (pf[0].revents) {
            int more = read_some(from, b);
            if (more <= 0) close(from), from = -1;
            if (more < 0) rc = -1;
        }
    }
    if (to >= 0) close(to);
    if (from >= 0) close(from);
    return rc;
}

/* Collects the child's status; 0 if it exited with status 0. BUG: WNOHANG
 * does not wait: right after the output ends the child may still be
 * running (it has closed its end, not exited yet), waitpid returns 0, the
 * status is never filled in (st stays 0, "exited with 0") and the child is
 * left a zombie. */
static int reap(pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) < 0) return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

ssize_t pipe_filter(filter_fn filter, const void *input, size_t len, void **output)
{
    *output = NULL;
    int in[2], out[2];
    if (pipe(in) < 0) return -1;
    if (pipe(out) < 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        return -1;
    }
    if (pid == 0) {
        close(in[1]);
        close(out[0]);
        filter(in[0], out[1]);
        _exit(0);
    }
    close(in[0]);
    close(out[1]);
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old);
    struct buf b = {0};
    int rc = exchange(in[1], out[0], input, len, &b);
    if (reap(pid) < 0) rc = -1;
    sigaction(SIGPIPE, &old, NULL);
    if (rc < 0 || (!b.data && !(b.data = malloc(1)))) {
        free(b.data);
        return -1;
    }
    *output = b.data;
    return (ssize_t)b.len;
}
