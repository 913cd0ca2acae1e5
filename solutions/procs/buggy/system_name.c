/* current_process_name always asks the system for the process's name: in
 * the parent, which never named itself, that is the program's own name,
 * not "main".
 * expect-kinds: wrong-result
 * expect-fail: main-name
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    if (n == 0) return 0;
    pid_t *pids = calloc(n, sizeof *pids);
    if (!pids) return -1;
    size_t started = 0;
    int rc = 0;
    for (; started < n; started++) {
        pids[started] = fork();
        if (pids[started] < 0) {
            rc = -1;
            break;
        }
        if (pids[started] == 0) {
            prctl(PR_SET_NAME, names[started]);
            _exit(fn(args[started]));
        }
    }
    for (size_t i = 0; i < started; i++) {
        int st;
        while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR) {}
        if (WIFEXITED(st)) status[i] = WEXITSTATUS(st);
        else status[i] = 128 + WTERMSIG(st);
    }
    free(pids);
    return rc;
}

const char *current_process_name(void)
{
    static char name[16];
    prctl(PR_GET_NAME, name);
    return name;
}
