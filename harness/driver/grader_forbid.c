/* grader_forbid.c - see grader_forbid.h. Also the observed wrappers of the
 * less common ways to create a process (vfork, clone, posix_spawn[p],
 * system, popen); pthread_create and fork are in grader_driver.c. */
#include "grader_forbid.h"
#include "grader_driver.h"

#include <errno.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_SITES 32

static _Atomic(const char *) forbid_why;
static atomic_long refused;
static _Atomic(const void *) reported[MAX_SITES];

void drv_forbid_spawn(const char *why)
{
    atomic_store(&forbid_why, why);
}

long drv_forbidden_calls(void)
{
    return atomic_load(&refused);
}

/* True the first time site is seen (then it is remembered). */
static bool site_first(const void *site)
{
    for (int i = 0; i < MAX_SITES; i++) {
        const void *seen = NULL;
        if (atomic_compare_exchange_strong(&reported[i], &seen, site)) return true;
        if (seen == site) return false;
    }
    return false; /* too many sites: the first ones are reported */
}

bool drv_forbid_check(const char *call, const char *what, const void *site)
{
    const char *why = atomic_load(&forbid_why);
    if (!why) return false;
    atomic_fetch_add(&refused, 1);
    if (site_first(site))
        drv_finding_at("forbidden-call", site,
                       "%s creates %s, and that is not allowed here: %s", call, what,
                       why);
    return true;
}

/* --- wrappers (the student's calls are renamed to these) ----------------------- */

pid_t drv_wrap_fork(void); /* grader_driver.c: counted as a fork */

pid_t drv_wrap_vfork(void)
{
    if (drv_forbid_check("vfork", DRV_MSG("a process"), __builtin_return_address(0))) {
        errno = EPERM;
        return -1;
    }
    /* a wrapper cannot share its frame with a vfork child: fork is a valid vfork */
    return drv_wrap_fork();
}

int drv_wrap_clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    if (drv_forbid_check(
            "clone", (flags & CLONE_THREAD) ? DRV_MSG("a thread") : DRV_MSG("a process"),
            __builtin_return_address(0))) {
        errno = EPERM;
        return -1;
    }
    va_list ap;
    va_start(ap, arg);
    pid_t *ptid = va_arg(ap, pid_t *);
    void *tls = va_arg(ap, void *);
    pid_t *ctid = va_arg(ap, pid_t *);
    va_end(ap);
    return clone(fn, stack, flags, arg, ptid, tls, ctid);
}

int drv_wrap_posix_spawn(pid_t *pid, const char *path,
                         const posix_spawn_file_actions_t *fa,
                         const posix_spawnattr_t *attr, char *const argv[],
                         char *const envp[])
{
    if (drv_forbid_check("posix_spawn", DRV_MSG("a process"),
                         __builtin_return_address(0)))
        return EPERM;
    return posix_spawn(pid, path, fa, attr, argv, envp);
}

int drv_wrap_posix_spawnp(pid_t *pid, const char *file,
                          const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[],
                          char *const envp[])
{
    if (drv_forbid_check("posix_spawnp", DRV_MSG("a process"),
                         __builtin_return_address(0)))
        return EPERM;
    return posix_spawnp(pid, file, fa, attr, argv, envp);
}

int drv_wrap_system(const char *command)
{
    if (drv_forbid_check("system", DRV_MSG("a process"), __builtin_return_address(0))) {
        errno = EPERM;
        return -1;
    }
    return system(command);
}

FILE *drv_wrap_popen(const char *command, const char *type)
{
    if (drv_forbid_check("popen", DRV_MSG("a process"), __builtin_return_address(0))) {
        errno = EPERM;
        return NULL;
    }
    return popen(command, type);
}
