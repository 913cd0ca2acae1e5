/* current_process_name asks the system for the name into a local array and
 * returns that array: the array is gone when the function returns (the
 * compiler warns, and returns NULL in its place).
 * expect-kinds: build-warning wrong-result
 * expect-fail: names
 */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

static bool named = false;

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    if (n == 0) return 0;
    pid_t *pids = malloc(n * sizeof *pids);
    if (!pids) return -1;
    size_t started = 0;
    int rc = 0;
    for (; started < n; started++) {
        pid_t pid = fork();
        if (pid < 0) {
            rc = -1;
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_NAME, names[started]);
            named = true;
            _exit(fn(args[started]));
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
    char name[16];
    if (!named) return "main";
    prctl(PR_GET_NAME, name);
    return name;
}
