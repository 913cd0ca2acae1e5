/* Names the child with pthread_setname_np and the name as given: for a
 * name longer than 15 bytes the call fails (ERANGE) and the child keeps its
 * parent's name; the return value is never looked at.
 * expect-kinds: wrong-result
 * expect-fail: names
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

static const char *my_name = "main";

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    pid_t *pids = malloc((n + 1) * sizeof(pid_t));
    if (pids == NULL) return -1;
    size_t count = 0;
    int result = 0;
    for (size_t i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            result = -1;
            break;
        }
        if (pid == 0) {
            pthread_setname_np(pthread_self(), names[i]);
            my_name = names[i];
            _exit(fn(args[i]));
        }
        pids[count++] = pid;
    }
    for (size_t i = 0; i < count; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        if (WIFEXITED(st)) status[i] = WEXITSTATUS(st);
        else if (WIFSIGNALED(st)) status[i] = 128 + WTERMSIG(st);
    }
    free(pids);
    return result;
}

const char *current_process_name(void)
{
    return my_name;
}
