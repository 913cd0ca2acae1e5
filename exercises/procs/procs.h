/* procs.h - the `procs` exercise: starting named processes.
 * Do not change this file; implement run_processes and current_process_name
 * in procs.c. */
#ifndef PROCS_H
#define PROCS_H

#include <stddef.h>

typedef int (*proc_fn)(long arg);
/* Starts one child process per i in [0, n) with fork(), all n alive at the
 * same time. Child i first names itself names[i] (the process name the system
 * shows, prctl PR_SET_NAME / /proc/PID/comm, cut to 15 bytes), then runs
 * fn(args[i]) and exits with its return value (0..255) without running any of
 * the parent's code or flushing the parent's buffered output again. Waits for
 * every child; status[i] = its exit status, or 128 + the signal that killed
 * it. Returns 0; or -1 if a child could not be created, after waiting for
 * the children already started. No zombie, no descriptor left. */
int run_processes(proc_fn fn, const char *const *names, const long *args,
                  int *status, size_t n);
/* The calling process's name, like multiprocessing.current_process().name:
 * "main" in a process that never named itself. The string stays valid until
 * the next call in the same process. */
const char *current_process_name(void);

#endif
