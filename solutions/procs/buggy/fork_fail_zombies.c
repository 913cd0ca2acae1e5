/* Returns -1 as soon as a fork fails: the children already started are
 * never waited for and stay zombies.
 * expect-kinds: zombie
 * expect-fail: fork-fails
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
    pid_t *pids = malloc((n + 1) * sizeof *pids);
    if (!pids) return -1;
    for (size_t i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == -1) {
            perror("fork");
            free(pids);
            return -1;
        }
        if (pids[i] == 0) {
            prctl(PR_SET_NAME, names[i]);
            snprintf(my_name, sizeof my_name, "%s", names[i]);
            _exit(fn(args[i]));
        }
    }
    for (size_t i = 0; i < n; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        status[i] = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    }
    free(pids);
    return 0;
}

const char *current_process_name(void)
{
    return my_name;
}
