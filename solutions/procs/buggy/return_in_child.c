/* The child returns fn's value from run_processes, as if it were a normal
 * function: the child comes back into the caller's code (and goes on with
 * the caller's program) instead of ending.
 * expect-kinds: wrong-result
 * expect-fail: own-code statuses
 */
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
    pid_t *pids = calloc(n + 1, sizeof(pid_t));
    if (pids == NULL) return -1;
    size_t i;
    for (i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] < 0) break;
        if (pids[i] == 0) {
            free(pids);
            prctl(PR_SET_NAME, names[i]);
            strncpy(my_name, names[i], 15);
            return fn(args[i]);
        }
    }
    for (size_t j = 0; j < i; j++) {
        int st;
        waitpid(pids[j], &st, 0);
        status[j] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    free(pids);
    return i == n ? 0 : -1;
}

const char *current_process_name(void)
{
    return my_name;
}
