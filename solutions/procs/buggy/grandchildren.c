/* The child calls fn but never ends: it falls back into the fork loop and
 * forks the remaining children itself (grandchildren of the caller), then
 * waits and returns into the caller's code.
 * expect-kinds: wrong-result
 * expect-fail: no-grandchildren own-code statuses
 */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

static const char *my_name = "main";

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    pid_t *pids = malloc(n * sizeof(pid_t));
    for (size_t i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            prctl(PR_SET_NAME, names[i]);
            my_name = names[i];
            status[i] = fn(args[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        int st;
        if (waitpid(pids[i], &st, 0) > 0 && WIFEXITED(st))
            status[i] = WEXITSTATUS(st);
        else if (WIFSIGNALED(st))
            status[i] = 128 + WTERMSIG(st);
    }
    free(pids);
    return 0;
}

const char *current_process_name(void)
{
    return my_name;
}
