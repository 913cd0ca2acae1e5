/* grader_driver.h - support for exercise drivers.
 *
 * A driver is a small C program linked with the student's file. Its main()
 * hands a table of named scenarios to drv_main; the grader runs one scenario
 * per process (`prog SCENARIO ARGS...`) and reads what the driver reports
 * through a private channel (never the student's stdout):
 *
 *   drv_out("sum", "%ld", s)          ->  r.out.sum == "4950" in spec.lua
 *   drv_finding("wrong-result", ...)  ->  a finding with the driver's stack
 *
 * Concurrency is proven by rendezvous (drv_gate), never by a stopwatch.
 * The student's calls to pthread_create/join/detach and fork/wait are observed
 * (the build renames them in the student's object file only), so a driver can
 * ask how many threads the student created, which were never joined, and can
 * make the k-th creation fail. */
#ifndef GRADER_DRIVER_H
#define GRADER_DRIVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

/* --- scenarios ------------------------------------------------------------ */
typedef int (*drv_fn)(int argc, char **argv); /* argv[0] is the scenario name */
typedef struct drv_scenario {
    const char *name;
    drv_fn run;
    const char *about; /* one line, shown by `prog --list` */
} drv_scenario;

/* Runs the scenario named by argv[1] (table ends with a {NULL} entry).
 * Exit status: the scenario's return value, or 1 if it reported a finding. */
int drv_main(int argc, char **argv, const drv_scenario *scenarios);

/* Integer argument i of a scenario (argv[i]), or dflt when absent. */
long drv_arg(int argc, char **argv, int i, long dflt);

/* --- reporting -------------------------------------------------------------- */
/* Marks a message format for the catalogs when it is not the format
 * argument itself (a choice between a singular and a plural sentence). */
#define DRV_MSG(s) s
void drv_out(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A finding located at the driver's current stack (and the student frames in it). */
void drv_finding(const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A finding located at a code address, e.g. a student's call site recorded by
 * the thread observer (see drv_thread_info). */
void drv_finding_at(const char *kind, const void *site, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A finding about the student's function fn, just called by this thread:
 * located at the wait (condition variable, semaphore) inside fn this thread
 * (else any thread) last returned from when the stress shim saw one (a woken caller that
 * went wrong went wrong right there; the grader then names the `if` or `while` that
 * decided to wait), else at fn's first line. */
void drv_finding_in(const char *kind, const void *fn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After the student's function fn (named name) returned to this thread:
 * true when it left no mutex locked; else a `lock-held` finding at the line
 * that took the lock and at fn, and false. The student's object calls
 * pthread_mutex_lock and friends through the driver (redefine.syms), which
 * counts the locks each thread holds. */
bool drv_locks_released(const void *fn, const char *name);
int drv_findings(void); /* how many findings were reported so far */
/* For the harness's helpers: the fields of a finding's message ("message",
 * and the "fmt" and "args" the grader translates) formatted now into buf
 * (a few KiB), to be sent later, from any thread or a signal handler, by
 * drv_finding_fields (located at its caller's stack). */
void drv_message_fields(char *buf, size_t n, const char *fmt, va_list ap);
void drv_finding_fields(const char *kind, const char *fields);
/* A finding with several call sites, each under its own title: e.g. every
 * process of a deadlock and the line where it is blocked. */
void drv_finding_sites(const char *kind, int n, const void *const *sites,
                       const char *const *titles, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Ends the program now with status, from any thread, after a finding that
 * makes going on pointless (test threads would wait forever behind a broken
 * submission). Unlike a bare exit() it is not reported as an early exit,
 * and the stress shim still writes the schedule that led there. */
_Noreturn void drv_exit(int status);

/* Deterministic randomness for drivers: seeded from the grader's seed. */
unsigned long drv_rand(void);

/* The tool of this run: "native", "tsan" or "helgrind". */
const char *drv_tool(void);
/* The result channel's descriptor (-1 without one); inherited by forked
 * children. Descriptor checks leave it alone. */
int drv_result_fd(void);

/* Scales a patience window (ms) for slow tools (Helgrind, TSan). */
long drv_patience_ms(long base_ms);

/* --- rendezvous ----------------------------------------------------------------- */
typedef struct drv_gate drv_gate;
/* A gate for n parties. Caller frees with drv_gate_free. */
drv_gate *drv_gate_new(int n);
/* Blocks until n callers are inside at once: returns 0. If no new caller
 * arrives for the patience window, the gate breaks open for good (so a serial
 * program can still finish) and every wait returns -1. */
int drv_gate_wait(drv_gate *g);
int drv_gate_most(drv_gate *g); /* most callers seen waiting at once */
bool drv_gate_broken(drv_gate *g);
void drv_gate_free(drv_gate *g);

/* --- observing the student's threads -------------------------------------------- */
typedef struct drv_thread_stats {
    long created; /* successful pthread_create calls */
    long failed;  /* failed calls (including injected failures) */
    long joined;  /* successful joins of student-created threads */
    long detached;
    long unjoined; /* created, neither joined nor detached */
} drv_thread_stats;

void drv_threads_reset(void); /* forget earlier threads */
drv_thread_stats drv_threads_stats(void);
/* Makes the k-th pthread_create (1-based, counted from the last reset) fail
 * with EAGAIN; 0 turns injection off. */
void drv_threads_fail_at(long k);
/* Reports a thread-leak finding at the creation site of every thread created
 * since the reset that was not joined; returns how many. `when` completes the
 * sentence "... was not joined <when>". */
int drv_threads_check_joined(const char *when);
/* The call site of the first pthread_join that returned before a later
 * pthread_create (threads joined one at a time), or NULL. */
const void *drv_threads_early_join(void);
/* The student's call site of the first successful pthread_create since the
 * reset, or NULL: where a finding about how many threads were created
 * belongs. */
const void *drv_threads_create_site(void);
/* Threads of this process right now (from /proc/self/task). */
int drv_threads_live(void);

/* --- observing the student's processes -------------------------------------------- */
typedef struct drv_proc_stats {
    long forked; /* successful fork calls */
    long failed; /* failed forks (including injected failures) */
    long reaped; /* children reaped by wait/waitpid */
} drv_proc_stats;
void drv_procs_reset(void);
drv_proc_stats drv_procs_stats(void);
void drv_procs_fail_at(long k); /* the k-th fork fails with EAGAIN; 0 = off */
/* More about processes, pipes and shared memory: grader_proc.h. */

#endif
