/* Ends each child with exit() instead of _exit(): the child flushes the
 * stdio buffer it copied from the parent (and runs the parent's atexit
 * handlers), so the parent's unwritten output comes out once per child.
 * expect-kinds: wrong-result
 * expect-fail: stdio
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    size_t i;
    for (i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] < 0) break;
        if (pids[i] == 0) {
            prctl(PR_SET_NAME, names[i]);
            snprintf(my_name, sizeof my_name, "%s", names[i]);
            exit(fn(args[i]));
        }
    }
    for (size_t j = 0; j < i; j++) {
        int st;
        waitpid(pids[j], &st, 0);
        if (WIFEXITED(st)) status[j] = WEXITSTATUS(st);
        else if (WIFSIGNALED(st)) status[j] = 128 + WTERMSIG(st);
    }
    free(pids);
    return i == n ? 0 : -1;
}

const char *current_process_name(void)
{
    return my_name;
}
