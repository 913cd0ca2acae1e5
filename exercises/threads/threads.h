/* threads.h - the `threads` exercise: creating and joining threads.
 * Do not change this file; implement run_in_threads in threads.c. */
#ifndef THREADS_H
#define THREADS_H

#include <stddef.h>

typedef long (*task_fn)(long arg);

/* Runs fn(args[i]) for every i in [0, n), each call in its own new thread,
 * all n threads alive at the same time; waits for every one of them and
 * stores what each returned in results[i]. Returns 0; or -1 if a thread could
 * not be created, after joining every thread already started. n == 0 is fine. */
int run_in_threads(task_fn fn, const long *args, long *results, size_t n);

#endif
