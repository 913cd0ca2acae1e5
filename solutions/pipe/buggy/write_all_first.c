/* Writes the whole input, then reads the whole output. Fine while the output
 * fits in the pipe's buffer; with megabytes the child blocks writing its
 * full output pipe, stops reading, and the parent blocks writing its input:
 * each waits for the other.
 * expect-kinds: deadlock
 * expect-fail: large-both
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipe.h"

ssize_t pipe_filter(filter_fn filter, const void *input, size_t len, void **output)
{
    *output = NULL;
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(in[1]);
        close(out[0]);
        filter(in[0], out[1]);
        _exit(0);
    }
    close(in[0]);
    close(out[1]);
    signal(SIGPIPE, SIG_IGN);
    const char *p = input;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(in[1], p, left);
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
    }
    close(in[1]);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ssize_t r;
    while ((r = read(out[0], buf + n, cap - n)) > 0) {
        n += (size_t)r;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    close(out[0]);
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        free(buf);
        return -1;
    }
    *output = buf;
    return (ssize_t)n;
}
