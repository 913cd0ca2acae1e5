/* grader_proc.h - driver support for processes, pipes and shared memory.
 *
 * What a driver can ask about the student's processes, on top of the fork /
 * wait observer of grader_driver.h:
 *
 *   drv_pgate      a rendezvous for processes (in MAP_SHARED memory): proves
 *                  that N workers are inside fn at once, never by timing;
 *   drv_procs_*    children left behind (zombies, still running), the most
 *                  children that existed at once, the wait that serialized;
 *   drv_fds_*      descriptors left open, each named (pipe end, socket, file)
 *                  with the line that created it;
 *   drv_watch_*    a watchdog process: when no process makes progress for a
 *                  patience window it reports a `deadlock` naming every
 *                  process, the line where each is blocked, and for pipes who
 *                  still holds the other end; then it stops the program;
 *   drv_locks_*    mutexes, semaphores and condition variables placed in
 *                  shared memory without being process-shared, or placed in
 *                  private memory;
 *   drv_fork ...   the driver's own children, crash injection.
 *
 * The student's read, write, poll, pipe, pipe2, pthread_mutex_init,
 * sem_init, pthread_cond_init, prctl and pthread_setname_np calls are
 * renamed to the wrappers in grader_proc.c (like fork and waitpid, see
 * redefine.syms): they record the call site of a blocking call, of every
 * pipe, lock and condition variable and of naming the process, and count
 * progress. They never change a result or errno.
 *
 * Processes are named in reports by their place in the family, never by pid
 * (so reports do not change between runs): "the parent" is the process the
 * scenario runs in, "child 2" the second child it forked.
 *
 * Ownership: everything returned by a _new or _snapshot function belongs to
 * the caller and is released with the matching _free. Nothing here creates a
 * thread (ThreadSanitizer stops checking children forked from a process with
 * threads). */
#ifndef GRADER_PROC_H
#define GRADER_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* --- shared memory ----------------------------------------------------------- */

/* size zeroed bytes of MAP_SHARED anonymous memory, shared with every child
 * forked afterwards. Aborts when memory is short. Free with drv_shared_free. */
void *drv_shared_new(size_t size);
void drv_shared_free(void *p, size_t size);

/* Whether p lies in memory shared with forked children (a MAP_SHARED
 * mapping). When it does not, what (if not NULL) gets where it lies instead,
 * as a phrase: "the heap (malloc)", "a global or static variable", ... */
bool drv_mem_shared(const void *p, char *what, size_t len);

/* --- a rendezvous for processes --------------------------------------------------- */

typedef struct drv_pgate drv_pgate;
/* A gate for n parties in shared memory; create it before forking. A waiter
 * gives up when nobody new arrives for patience_ms (scaled for slow tools;
 * 0 = 3000). */
drv_pgate *drv_pgate_new(int n, long patience_ms);
/* Blocks until n callers (any processes) are inside at once: returns 0. If
 * nobody new arrives for the patience window the gate breaks open for good
 * and every wait returns -1. */
int drv_pgate_wait(drv_pgate *g);
int drv_pgate_most(const drv_pgate *g); /* most callers inside at once */
bool drv_pgate_broken(const drv_pgate *g);
void drv_pgate_free(drv_pgate *g);

/* Waits, looking every millisecond, until cond(arg) holds: 0; or -1 after
 * patience_ms (scaled for slow tools). For conditions another process makes
 * true (e.g. "the worker of item 3 has ended"); the watchdog counts the wait
 * as the test's own, like a gate's. */
int drv_pwait(bool (*cond)(void *arg), void *arg, long patience_ms);

/* --- the student's children ----------------------------------------------------------
 */

/* Most children of this process that existed at once: forked and not yet
 * waited for (a zombie still counts), since the last drv_procs_reset. */
int drv_procs_most_alive(void);
/* The call site of the first wait/waitpid that reaped a child before a later
 * fork (children run one at a time), or NULL. */
const void *drv_procs_early_wait(void);
/* Every child forked since the reset that was not waited for: reported as one
 * `zombie` finding at its fork site (how many, out of how many), then killed
 * and reaped so the scenario can go on. `when` completes "... never waited
 * for <when>". Returns how many were left. */
int drv_procs_check_reaped(const char *when);
/* The call site of the first fork since the reset, or NULL. */
const void *drv_procs_fork_site(void);
/* The call site of the first wait/waitpid since the reset that reaped a
 * child (where the student decodes a status), or NULL. */
const void *drv_procs_wait_site(void);
/* Where this process last named itself since the reset (or since it was
 * forked): the student's prctl(PR_SET_NAME) or pthread_setname_np on the
 * main thread, or NULL. */
const void *drv_procs_name_site(void);
/* Whether process pid has ended (gone, or a zombie nobody waited for yet). */
bool drv_proc_ended(pid_t pid);
/* The state of process pid from /proc (R running, S sleeping in a system
 * call, D, T, Z zombie), or 0 when it is gone. */
char drv_proc_state(pid_t pid);
/* Whether watched process pid (the scenario's process or one forked from it
 * after the watchdog started) is in a blocking wait or waitpid of the
 * student's now; *target (if not NULL) gets the pid it waits for, as given
 * to waitpid (-1 or 0: any child). Lets a child end only once the order in
 * which its parent will collect the children is certain. */
bool drv_proc_in_wait(pid_t pid, pid_t *target);
/* Children forked (since the reset) from a process that had other threads
 * running: ThreadSanitizer does not check such children. */
int drv_procs_forked_threaded(void);

/* --- descriptors ----------------------------------------------------------------------
 */

typedef struct drv_fds drv_fds;
/* The descriptors open in this process now (the result channel excluded). */
drv_fds *drv_fds_snapshot(void);
/* Reports one `fd-leak` finding for the descriptors open now that were not
 * open in `before`, each named (the read end of a pipe, a socket, the file
 * PATH) at the line that created it when known; then closes them. `when`
 * completes "... left open <when>". Returns how many were leaked. Runs under
 * a sanitizer open descriptors of their own, so there it checks nothing and
 * returns 0. */
int drv_fds_check(const drv_fds *before, const char *when);
void drv_fds_free(drv_fds *s);

/* --- the watchdog
 * ------------------------------------------------------------------------ */

/* Arms the watchdog around a call of the student's (starts its helper process
 * on first use: call it while this process has no other thread). While armed,
 * if no watched process (this one and every process forked from it) makes
 * progress for the patience window (1.5 s, scaled for slow tools) and none is
 * running, it reports a `deadlock` (or the kind given by drv_doing) that
 * names each process, where it is blocked and, for pipes, which processes
 * still hold the other end; then it ends this process (exit status 3). */
void drv_watch_start(void);
void drv_watch_stop(void);
/* Counts as progress (the wrappers count bytes moved and children reaped). */
void drv_progress(void);
/* Tells the watchdog what this process is doing, for its report (NULL: nothing
 * special). If the process is stuck while doing it and `kind` is not NULL, the
 * finding gets that kind (e.g. "self-deadlock"). The call site is remembered. */
void drv_doing(const char *kind, const char *what);
/* read / write / waitpid for the driver's own code (e.g. a filter running in
 * a child): watched like the student's calls, sited at the driver's line.
 * drv_write_all writes everything (0) or fails (-1, e.g. EPIPE). */
ssize_t drv_read(int fd, void *buf, size_t n);
int drv_write_all(int fd, const void *buf, size_t n);
pid_t drv_waitpid(pid_t pid, int *status);

/* --- the driver's own children
 * ------------------------------------------------------------ */

/* fork() for the driver itself: not counted as the student's, named `label`
 * ("worker 2") in watchdog reports. */
pid_t drv_fork(const char *label);
/* Ends the calling process by signal sig (default action: no crash report of
 * the driver's), as a crashing worker would. Never returns. */
_Noreturn void drv_die(int sig);

/* --- locks in shared memory
 * -------------------------------------------------------------- */

/* Reports a `mutex-misuse` finding at the initialisation of every mutex,
 * semaphore or condition variable the student created since the last call
 * that cannot work between processes: in shared memory without
 * PTHREAD_PROCESS_SHARED (a waiter in another process is never woken), or in
 * private memory (every process locks its own copy). Returns how many. */
int drv_locks_check_shared(void);

/* --- what the tools covered
 * ---------------------------------------------------------------- */

/* A sentence on what this run's tool checked in which processes, as the
 * driver output `coverage` (for notes in spec.lua). */
void drv_procs_coverage(void);

/* --- called by grader_driver.c's observers (not for drivers)
 * ------------------------------ */
void drv_proc_forked(pid_t p, const void *site);
void drv_proc_waiting(pid_t pid, int options, const void *site);
void drv_proc_waited(pid_t r, const void *site);
void drv_proc_forget(void);

#endif
