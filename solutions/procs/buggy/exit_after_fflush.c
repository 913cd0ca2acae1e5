/* Flushes stdout before forking, so that no output is doubled, but still
 * ends each child with exit(): the child runs the parent's atexit handlers
 * (the parent's code) on its way out.
 * expect-kinds: wrong-result
 * expect-fail: stdio
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

static char my_name[16] = "main";

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    if (n == 0) return 0;
    pid_t *pids = malloc(n * sizeof *pids);
    if (!pids) return -1;
    size_t started = 0;
    int rc = 0;
    fflush(stdout);
    for (; started < n; started++) {
        pid_t pid = fork();
        if (pid < 0) {
            rc = -1;
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_NAME, names[started]);
            snprintf(my_name, sizeof my_name, "%s", names[started]);
            exit(fn(args[started]));
        }
        pids[started] = pid;
    }
    for (size_t i = 0; i < started; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    free(pids);
    return rc;
}

const char *current_process_name(void)
{
    return my_name;
}
