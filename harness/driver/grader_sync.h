/* grader_sync.h - driver support for exercises on locks and condition
 * variables: watching a student's call from another thread.
 *
 *   drv_call        a call of the student's made by a test thread: whether it
 *                   has returned, and in which order against other events;
 *   drv_calls_settle   waits until every watched call has either returned or
 *                   is asleep in the kernel (blocked on a lock, a condition
 *                   variable, a join, or sleeping): proves that a call blocks
 *                   by its state, never by a stopwatch;
 *   drv_sync_until  waits for a condition with a bound; under a pct schedule
 *                   it ends as soon as every other thread is blocked, so a
 *                   stuck program is seen at once and the same way every run;
 *   drv_sync_cpu_us, drv_sync_wakeups   what a blocked thread costs: CPU time
 *                   and how often it woke up (busy-waiting, polling);
 *   drv_sync_finding_in   a finding located where another thread is now (its
 *                   own stack: the student's spinning loop).
 *
 * Bookkeeping uses relaxed atomics only: it creates no happens-before edge
 * between threads, so it hides no data race from ThreadSanitizer. */
#ifndef GRADER_SYNC_H
#define GRADER_SYNC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

/* The calling thread's kernel id. */
pid_t drv_sync_tid(void);

/* Whether this run is scheduled by the stress shim in pct mode (one thread
 * runs at a time; see harness/shim/PROTOCOL.md). */
bool drv_sync_pct(void);

/* A number from a counter shared by the whole program: stamps taken in one
 * thread increase, and a stamp taken after another (in real time) is larger. */
long drv_sync_stamp(void);

/* What a thread of this process is doing right now. */
typedef enum drv_tstate {
    DRV_T_GONE,     /* exited, or no such thread */
    DRV_T_RUNNING,  /* on a CPU or ready to run */
    DRV_T_BLOCKED,  /* asleep on a futex: a mutex, condition variable, semaphore, join */
    DRV_T_SLEEPING, /* asleep in sleep/usleep/nanosleep */
    DRV_T_WAITING,  /* asleep in another system call (read, poll, ...) */
} drv_tstate;
drv_tstate drv_sync_state(pid_t tid);

/* Waits until cond(arg) holds: 0; or -1 once it did not hold within
 * patience_ms (scaled for slow tools). Natively it looks every millisecond.
 * Under a pct schedule it sleeps until every other thread is blocked (the
 * shim then ends the sleep in virtual time) and gives up at once if cond
 * still does not hold: nothing can change it any more. */
int drv_sync_until(bool (*cond)(void *arg), void *arg, long patience_ms);

/* --- watched calls ------------------------------------------------------- */

enum { DRV_CALL_IDLE, DRV_CALL_INSIDE, DRV_CALL_RETURNED };

typedef struct drv_call {
    atomic_int phase;    /* DRV_CALL_* */
    atomic_int tid;      /* kernel id of the calling thread */
    atomic_long in_at;   /* drv_sync_stamp() when the call began */
    atomic_long out_at;  /* drv_sync_stamp() when it returned */
    atomic_long rc;      /* what it returned */
    atomic_ulong thread; /* pthread_self() of the calling thread */
    atomic_long cpu_in;  /* its CPU time (us) when the call began */
} drv_call;

/* In the calling thread, right before and right after the student's call. */
void drv_call_enter(drv_call *c);
void drv_call_leave(drv_call *c, long rc);
bool drv_call_returned(drv_call *c);
/* How many of the n calls have returned. */
int drv_calls_returned(drv_call *calls, int n);

/* Waits until each of the n calls has begun and then either returned,
 * fallen asleep in the kernel (see drv_tstate), or spent DRV_SPIN_US of CPU
 * time inside the call (it spins: it will not fall asleep): the calls that
 * wait are then known to be waiting. Returns how many calls are neither
 * returned nor asleep (spinning, or still running when patience_ms, scaled,
 * ran out). Under a pct schedule: until every other thread is blocked. */
#define DRV_SPIN_US 20000
int drv_calls_settle(drv_call *calls, int n, long patience_ms);

/* --- cost of a blocked thread -------------------------------------------- */

/* CPU time thread t has used so far, in microseconds; -1 if unknown. */
long drv_sync_cpu_us(pthread_t t);
/* How many times thread tid was switched off its CPU so far (it went to
 * sleep or was preempted); -1 if unknown. A thread blocked on a condition
 * variable is switched off once; one that polls, every time it looks. */
long drv_sync_wakeups(pid_t tid);

/* Reports a finding located where thread t (of this process) is running
 * now: t is interrupted by a signal and the finding carries t's own stack,
 * so the student's line that keeps it busy is shown. Only in native runs;
 * under a sanitizer or Valgrind (or if t does not answer within a second)
 * the finding is located at the caller, like drv_finding. */
void drv_sync_finding_in(pthread_t t, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
