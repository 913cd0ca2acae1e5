/* grader_sync.c - see grader_sync.h. */
#include "grader_sync.h"

#include "grader_driver.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RELAXED memory_order_relaxed

pid_t drv_sync_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* 1 pct, 0 not, -1 not looked yet. The stress shim reads the same variables. */
static atomic_int pct_mode = -1;

bool drv_sync_pct(void)
{
    int v = atomic_load_explicit(&pct_mode, RELAXED);
    if (v < 0) {
        const char *mode = getenv("STRESS_MODE"), *out = getenv("STRESS_OUT");
        v = mode && out && *out && !strcmp(mode, "pct");
        atomic_store_explicit(&pct_mode, v, RELAXED);
    }
    return v == 1;
}

static atomic_long stamps;

long drv_sync_stamp(void)
{
    return atomic_fetch_add_explicit(&stamps, 1, RELAXED) + 1;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sleeps us microseconds (the shim sees nanosleep: under pct the sleep ends
 * early, in virtual time, once every other thread is blocked). */
static void sleep_us(int64_t us)
{
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000),
                          .tv_nsec = (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* Reads /proc/self/task/TID/NAME into buf (NUL-terminated); bytes read or -1. */
static ssize_t task_read(pid_t tid, const char *name, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/%s", (int)tid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = '\0';
    return n;
}

drv_tstate drv_sync_state(pid_t tid)
{
    char buf[512];
    if (tid <= 0 || task_read(tid, "stat", buf, sizeof buf) < 0) return DRV_T_GONE;
    const char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ') return DRV_T_RUNNING;
    char st = p[2];
    if (st == 'Z' || st == 'X') return DRV_T_GONE;
    if (st != 'S' && st != 'D') return DRV_T_RUNNING;
    /* asleep: in which system call? ("running" if it woke meanwhile) */
    if (task_read(tid, "syscall", buf, sizeof buf) < 0) return DRV_T_WAITING;
    char *end;
    long nr = strtol(buf, &end, 10);
    if (end == buf) return DRV_T_RUNNING;
    if (nr == SYS_futex) return DRV_T_BLOCKED;
    if (nr == SYS_nanosleep || nr == SYS_clock_nanosleep) return DRV_T_SLEEPING;
    return DRV_T_WAITING;
}

/* Under pct: sleeps until every other thread is blocked (virtual time) or
 * for us microseconds of real time. Returns true if the sleep ended early,
 * i.e. every other thread is blocked now. The length asked for is always
 * the same for the same caller (the shim records it in the schedule). */
static bool pct_quiesce(int64_t us)
{
    int64_t start = now_us();
    sleep_us(us);
    return now_us() - start < us - 1000;
}

int drv_sync_until(bool (*cond)(void *arg), void *arg, long patience_ms)
{
    int e = errno;
    int64_t until = now_us() + (int64_t)drv_patience_ms(patience_ms) * 1000;
    int rc = -1;
    for (;;) {
        if (cond(arg)) {
            rc = 0;
            break;
        }
        if (now_us() >= until) break;
        if (drv_sync_pct()) {
            /* every other thread blocked and cond still false: it stays false */
            if (pct_quiesce((int64_t)drv_patience_ms(patience_ms) * 1000) && !cond(arg))
                break;
        } else {
            sleep_us(1000);
        }
    }
    errno = e;
    return rc;
}

/* --- watched calls ------------------------------------------------------- */

void drv_call_enter(drv_call *c)
{
    atomic_store_explicit(&c->thread, (unsigned long)pthread_self(), RELAXED);
    atomic_store_explicit(&c->cpu_in, drv_sync_cpu_us(pthread_self()), RELAXED);
    atomic_store_explicit(&c->tid, (int)drv_sync_tid(), RELAXED);
    atomic_store_explicit(&c->in_at, drv_sync_stamp(), RELAXED);
    atomic_store_explicit(&c->phase, DRV_CALL_INSIDE, RELAXED);
}

void drv_call_leave(drv_call *c, long rc)
{
    atomic_store_explicit(&c->out_at, drv_sync_stamp(), RELAXED);
    atomic_store_explicit(&c->rc, rc, RELAXED);
    atomic_store_explicit(&c->phase, DRV_CALL_RETURNED, RELAXED);
}

bool drv_call_returned(drv_call *c)
{
    return atomic_load_explicit(&c->phase, RELAXED) == DRV_CALL_RETURNED;
}

int drv_calls_returned(drv_call *calls, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) k += drv_call_returned(&calls[i]);
    return k;
}

/* Calls not settled: not begun, or inside and on a CPU (unless they have
 * spun long enough to show that they will not fall asleep). With spinning,
 * also counts those spinning. */
static int calls_unsettled(drv_call *calls, int n, bool spinning)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        int ph = atomic_load_explicit(&calls[i].phase, RELAXED);
        if (ph == DRV_CALL_RETURNED) continue;
        if (ph == DRV_CALL_IDLE) {
            k++;
            continue;
        }
        if (drv_sync_state(atomic_load_explicit(&calls[i].tid, RELAXED)) != DRV_T_RUNNING)
            continue;
        long in = atomic_load_explicit(&calls[i].cpu_in, RELAXED);
        long now =
            drv_sync_cpu_us((pthread_t)atomic_load_explicit(&calls[i].thread, RELAXED));
        if (spinning || in < 0 || now < 0 || now - in < DRV_SPIN_US) k++;
    }
    return k;
}

typedef struct settle_arg {
    drv_call *calls;
    int n, stable;
} settle_arg;

/* Settled when nothing ran in two looks in a row (a thread between two
 * system calls may look asleep once). */
static bool settled(void *p)
{
    settle_arg *a = p;
    if (calls_unsettled(a->calls, a->n, false)) {
        a->stable = 0;
        return false;
    }
    return ++a->stable >= 2;
}

int drv_calls_settle(drv_call *calls, int n, long patience_ms)
{
    if (drv_sync_pct()) {
        /* every other thread runs until it blocks; then nothing runs */
        pct_quiesce((int64_t)drv_patience_ms(patience_ms) * 1000);
        int k = 0;
        for (int i = 0; i < n; i++)
            k += atomic_load_explicit(&calls[i].phase, RELAXED) == DRV_CALL_IDLE;
        return k;
    }
    settle_arg a = {calls, n, 0};
    drv_sync_until(settled, &a, patience_ms);
    return calls_unsettled(calls, n, true);
}

/* --- cost of a blocked thread -------------------------------------------- */

long drv_sync_cpu_us(pthread_t t)
{
    clockid_t cid;
    struct timespec ts;
    if (pthread_getcpuclockid(t, &cid) != 0 || clock_gettime(cid, &ts) != 0) return -1;
    return (long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long drv_sync_wakeups(pid_t tid)
{
    char buf[2048];
    if (task_read(tid, "status", buf, sizeof buf) < 0) return -1;
    const char *p = strstr(buf, "\nvoluntary_ctxt_switches:");
    return p ? strtol(p + strlen("\nvoluntary_ctxt_switches:"), NULL, 10) : -1;
}

/* --- a finding where another thread is ---------------------------------- */

static char where_kind[32];
static char where_msg[6144]; /* the finding's message fields (drv_message_fields) */
static atomic_int
    where_claimed; /* the finding is being sent (by the handler or the caller) */
static atomic_int where_sent; /* the handler has sent it */

/* Runs on the interrupted thread: its stack is the one to show. */
static void on_where(int sig)
{
    (void)sig;
    int e = errno;
    if (!atomic_exchange(&where_claimed, 1)) {
        drv_finding_fields(where_kind, where_msg);
        atomic_store(&where_sent, 1);
    }
    errno = e;
}

void drv_sync_finding_in(pthread_t t, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    drv_message_fields(where_msg, sizeof where_msg, fmt, ap);
    va_end(ap);
    snprintf(where_kind, sizeof where_kind, "%s", kind);
    atomic_store(&where_claimed, 0);
    atomic_store(&where_sent, 0);
    bool asked = false;
    if (!strcmp(drv_tool(), "native")) {
        static atomic_int installed;
        void *warm[4];
        backtrace(warm, 4); /* loads the unwinder now, not in the handler */
        if (!atomic_exchange(&installed, 1)) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_where;
            sa.sa_flags = SA_RESTART;
            sigemptyset(&sa.sa_mask);
            sigaction(SIGRTMIN + 3, &sa, NULL);
        }
        asked = pthread_kill(t, SIGRTMIN + 3) == 0;
    }
    for (int i = 0; asked && i < 1000 && !atomic_load(&where_claimed); i++)
        sleep_us(1000);
    /* the handler is left installed: a late signal finds the finding sent */
    if (!atomic_exchange(&where_claimed, 1)) {
        drv_finding_fields(where_kind, where_msg);
        return;
    }
    /* the handler is sending it: return once it is out, so that a caller
     * that ends the process right after does not lose it */
    for (int i = 0; i < 5000 && !atomic_load(&where_sent); i++) sleep_us(1000);
}

/* --- locks the student's code holds ---------------------------------------
 * The student's object calls these instead of pthread_mutex_lock and friends
 * (redefine.syms): each thread counts the mutexes it holds and where it took
 * them. Thread-local only: no edge between threads, nothing hidden from the
 * race detectors. */

#define HELD_MAX 16

typedef struct held_lock {
    const void *m;
    int count;
    const void *site; /* the student's call that took it */
} held_lock;

static _Thread_local held_lock held_locks[HELD_MAX];
static _Thread_local int nheld_locks;

static void held_note(const void *m, const void *site)
{
    for (int i = 0; i < nheld_locks; i++)
        if (held_locks[i].m == m) {
            held_locks[i].count++;
            return;
        }
    if (nheld_locks < HELD_MAX) held_locks[nheld_locks++] = (held_lock){m, 1, site};
}

static void held_forget(const void *m)
{
    for (int i = 0; i < nheld_locks; i++)
        if (held_locks[i].m == m) {
            if (--held_locks[i].count == 0) held_locks[i] = held_locks[--nheld_locks];
            return;
        }
}

/* Tells the stress shim the student's call site (see grader_driver.c). */
static void sync_site_hint(const void *site)
{
    typedef void (*hint_fn)(void *);
    static _Atomic(hint_fn) hint;
    static atomic_int looked;
    if (!atomic_load_explicit(&looked, memory_order_relaxed)) {
        atomic_store_explicit(&hint, (hint_fn)dlsym(RTLD_DEFAULT, "stress_site_hint"),
                              memory_order_relaxed);
        atomic_store_explicit(&looked, 1, memory_order_relaxed);
    }
    hint_fn h = atomic_load_explicit(&hint, memory_order_relaxed);
    if (h) h((void *)site);
}

int drv_wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
    const void *site = __builtin_return_address(0);
    sync_site_hint(site);
    int rc = pthread_mutex_lock(m);
    if (rc == 0) held_note(m, site);
    return rc;
}

int drv_wrap_pthread_mutex_trylock(pthread_mutex_t *m)
{
    const void *site = __builtin_return_address(0);
    sync_site_hint(site);
    int rc = pthread_mutex_trylock(m);
    if (rc == 0) held_note(m, site);
    return rc;
}

int drv_wrap_pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs)
{
    const void *site = __builtin_return_address(0);
    sync_site_hint(site);
    int rc = pthread_mutex_timedlock(m, abs);
    if (rc == 0) held_note(m, site);
    return rc;
}

int drv_wrap_pthread_mutex_unlock(pthread_mutex_t *m)
{
    sync_site_hint(__builtin_return_address(0));
    int rc = pthread_mutex_unlock(m);
    if (rc == 0) held_forget(m);
    return rc;
}

bool drv_locks_released(const void *fn, const char *name)
{
    if (!nheld_locks) return true;
    const void *sites[2] = {held_locks[0].site, (const char *)(uintptr_t)fn + 1};
    const char *titles[2] = {"the lock taken here",
                             "is still held after this function returned"};
    drv_finding_sites("lock-held", 2, sites, titles,
                      "%s returned still holding a lock it took (%d lock%s held): a "
                      "return path skips the "
                      "unlock. Every return, the early ones too (a bad argument, too "
                      "little money), must "
                      "first unlock each lock the function took",
                      name, nheld_locks, nheld_locks == 1 ? "" : "s");
    nheld_locks = 0;
    return false;
}
