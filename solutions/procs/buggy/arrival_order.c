/* Collects the children with wait() and stores each status at the next
 * free index: status[0] is whichever child ended first.
 * expect-kinds: wrong-result
 * expect-fail: order
 */
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

static char my_name[16] = "main";

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    size_t started = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            rc = -1;
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_NAME, names[i]);
            snprintf(my_name, sizeof my_name, "%s", names[i]);
            _exit(fn(args[i]));
        }
        started++;
    }
    for (size_t k = 0; k < started; k++) {
        int st;
        wait(&st);
        if (WIFEXITED(st)) status[k] = WEXITSTATUS(st);
        else if (WIFSIGNALED(st)) status[k] = 128 + WTERMSIG(st);
    }
    return rc;
}

const char *current_process_name(void)
{
    return my_name;
}
