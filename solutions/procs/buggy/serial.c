/* Waits for each child right after forking it, inside the fork loop: the
 * statuses are right, but the children run one after another.
 * expect-kinds: not-concurrent
 * expect-fail: concurrent
 */
#include <stdio.h>
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
    for (size_t i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) return -1;
        if (pid == 0) {
            prctl(PR_SET_NAME, names[i]);
            strncpy(my_name, names[i], 15);
            _exit(fn(args[i]));
        }
        int st;
        waitpid(pid, &st, 0);
        if (WIFEXITED(st)) status[i] = WEXITSTATUS(st);
        else status[i] = 128 + WTERMSIG(st);
    }
    return 0;
}

const char *current_process_name(void)
{
    if (my_name[0] == '\0') return "main";
    return my_name;
}
