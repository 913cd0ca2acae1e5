/* hang.h - telling from the outside that a program can never go on.
 *
 * A run whose every thread, in every process of its tree, sleeps in a wait
 * that only another thread of the tree could end (a futex wait with no
 * timeout: locks, condition variables, semaphores, joins; waiting for a
 * child; pause or sigsuspend), using no CPU, sample after sample, is hung:
 * nothing inside can wake it, and nothing outside it shares its futexes
 * (its PID namespace holds the whole tree). Waiting it out would end in the
 * same timeout, later. Anything else keeps it alive: a running or
 * uninterruptible task, a timed wait (sleep, cond_timedwait, poll with a
 * timeout), a read on a pipe or socket (a helper process, the test server,
 * our stdin), a stopped task, a task we cannot inspect.
 *
 * One exception: a thread of a tool's runtime linked into the program
 * (ThreadSanitizer's background thread) sleeps on a timer by a system call
 * of the program's own code, never through the C library; such a sleeper
 * wakes only to do the tool's housekeeping, and is not counted. */
#ifndef GRADER_HANG_H
#define GRADER_HANG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define HANG_SAMPLE_MS 250  /* how often a run is looked at */
#define HANG_AFTER_MS  1000 /* how long the state must hold, unchanged */

typedef struct hang_watch {
    uint64_t state; /* every task's id, wait and CPU time, hashed */
    int64_t since;  /* when that state was first seen, or 0 */
    int64_t next;   /* the next sample */
    int samples;    /* samples that saw that state */
} hang_watch;

/* Looks at the run's processes (pids: every process of the tree, owned by
 * the caller) if a sample is due at now (monotonic ms). Returns true once
 * every task has been parked, with the same waits and no CPU used, for
 * HANG_AFTER_MS over at least HANG_AFTER_MS / HANG_SAMPLE_MS samples. */
bool hang_watch_sample(hang_watch *w, const pid_t *pids, size_t n, int64_t now);

/* Whether a sample is due at now (callers skip listing the tree if not). */
bool hang_watch_due(const hang_watch *w, int64_t now);

/* Whether one task (a thread tid of process pid) is parked; *cpu_ns gets its
 * CPU time, *sig a hash of its wait. For tests and hang_watch_sample. */
bool hang_task_parked(pid_t pid, pid_t tid, uint64_t *cpu_ns, uint64_t *sig);

#endif
