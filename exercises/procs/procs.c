/* procs.c - your solution to the `procs` exercise.
 *
 * Implement run_processes and current_process_name as described in procs.h
 * and README.md.
 * Grade it with:   grader grade procs .
 */
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n)
{
    (void)fn;
    (void)names;
    (void)args;
    (void)status;
    (void)n;
    /* TODO: fork every child first (each names itself, runs fn and ends
     * with _exit), then wait for them all and decode each status. */
    return -1;
}

const char *current_process_name(void)
{
    /* TODO: the name this process gave itself, or "main". */
    return NULL;
}
