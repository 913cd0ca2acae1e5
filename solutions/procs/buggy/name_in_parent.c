/* Names the process in the parent, after fork: the parent takes every name
 * in turn, and each child only inherits the name the parent had when it
 * forked (child 0 the parent's own, child i the name of child i-1).
 * expect-kinds: wrong-result
 * expect-fail: names main-name
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
    pid_t pids[64];
    if (n > 64) return -1;
    for (size_t i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            for (size_t j = 0; j < i; j++) waitpid(pids[j], NULL, 0);
            return -1;
        }
        if (pids[i] == 0) _exit(fn(args[i]));
        prctl(PR_SET_NAME, names[i]);
        strncpy(my_name, names[i], 15);
    }
    for (size_t i = 0; i < n; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        if (WIFEXITED(st)) status[i] = WEXITSTATUS(st);
        else status[i] = 128 + WTERMSIG(st);
    }
    return 0;
}

const char *current_process_name(void)
{
    return my_name[0] ? my_name : "main";
}
