/* Takes WEXITSTATUS of every status, without asking WIFEXITED first: a
 * child killed by a signal did not exit, and gets 0.
 * expect-kinds: wrong-result
 * expect-fail: signals
 */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

static char my_name[16];

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    if (n == 0) return 0;
    pid_t *pids = malloc(n * sizeof *pids);
    if (!pids) return -1;
    size_t started = 0;
    while (started < n) {
        pid_t pid = fork();
        if (pid < 0) break;
        if (pid == 0) {
            prctl(PR_SET_NAME, names[started]);
            strncpy(my_name, names[started], sizeof my_name - 1);
            _exit(fn(args[started]));
        }
        pids[started++] = pid;
    }
    for (size_t i = 0; i < started; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        status[i] = WEXITSTATUS(st);
    }
    free(pids);
    return started == n ? 0 : -1;
}

const char *current_process_name(void)
{
    return my_name[0] ? my_name : "main";
}
