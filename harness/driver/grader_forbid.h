/* grader_forbid.h - forbidding the student's code to create threads or
 * processes.
 *
 * While forbidden, every attempt by the student's code to create a thread or
 * a process (pthread_create, fork, vfork, clone, posix_spawn, posix_spawnp,
 * system, popen: renamed in the student's object file, see redefine.syms) is
 * refused, failing as if the system had said EPERM, and reported once per
 * call site as a `forbidden-call` finding located at the student's call. */
#ifndef GRADER_FORBID_H
#define GRADER_FORBID_H

#include <stdbool.h>

/* Forbids creating threads and processes from now on; `why` completes the
 * finding's message ("pthread_create creates a thread: <why>"). NULL allows
 * them again. The string is not copied: pass a literal. */
void drv_forbid_spawn(const char *why);
/* How many creations were refused since the program started. */
long drv_forbidden_calls(void);

/* For the observers: if creating is forbidden, reports `call` (which creates
 * a `what`: "thread" or "process") at the student's call site and returns
 * true, the call must then fail; false otherwise. */
bool drv_forbid_check(const char *call, const char *what, const void *site);

#endif
