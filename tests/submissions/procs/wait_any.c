/* An alternative correct procs solution: the children are collected with
 * wait() in whatever order they end, each status stored at the index of
 * the pid that wait returned; the child names itself by writing
 * /proc/self/comm and current_process_name asks the system for the name.
 * Full marks expected. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

static bool named;

/* Writes name (cut to 15 bytes) to /proc/self/comm. */
static void name_self(const char *name)
{
    char cut[16];
    snprintf(cut, sizeof cut, "%s", name);
    int fd = open("/proc/self/comm", O_WRONLY);
    if (fd >= 0) {
        if (write(fd, cut, strlen(cut)) < 0) { /* the name stays the parent's */ }
        close(fd);
    }
    named = true;
}

/* Collects one child; stores its decoded status at its index. */
static int collect_one(const pid_t *pids, size_t started, int *status)
{
    int st;
    pid_t p = wait(&st);
    if (p < 0) return errno == EINTR ? 0 : -1;
    for (size_t i = 0; i < started; i++)
        if (pids[i] == p) status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 0;
}

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    pid_t *pids = calloc(n ? n : 1, sizeof *pids);
    if (!pids) return -1;
    size_t started = 0, left;
    fflush(stdout);
    while (started < n) {
        pid_t p = fork();
        if (p < 0) break;
        if (p == 0) {
            name_self(names[started]);
            _exit(fn(args[started]));
        }
        pids[started++] = p;
    }
    for (left = started; left > 0; left--)
        if (collect_one(pids, started, status) < 0) break;
    free(pids);
    return started == n ? 0 : -1;
}

const char *current_process_name(void)
{
    static char name[16];
    if (!named) return "main";
    if (prctl(PR_GET_NAME, name) < 0) return "main";
    return name;
}
