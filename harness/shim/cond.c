/* Condition variables (pthread_cond_t, exported as GLIBC_2.3.2) and C11
 * cnd_t.
 *
 * Process-private condition variables are implemented in the model: a
 * waiter queues on the record, releases the mutex and blocks; signal and
 * broadcast wake queued waiters. The real condition variable is never waited
 * on. Process-shared ones are forwarded to the real functions (the waiter
 * leaves the scheduler while it waits, another process may wake it), except
 * in a run that forks no process (STRESS_ONE_PROCESS).
 *
 * In pct and random mode a waiter sometimes returns without a signal
 * (spurious wake-up, allowed by POSIX): a wait guarded by `if` instead of
 * `while` then proceeds with its condition false.
 */
#include "shim.h"

#include <errno.h>

enum { SPURIOUS_PERMILLE = 50 };

/* A process-shared condition variable, forwarded to the real functions
 * unless the run forks no process (STRESS_ONE_PROCESS): then nobody outside
 * the model can wait on it or signal it. */
static int cond_pshared(const pthread_cond_t *c)
{
    return (c->__data.__wrefs & 1) != 0 && !cfg.one_process;
}

static int cond_clock(const pthread_cond_t *c)
{
    return (c->__data.__wrefs & 2) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
}

/* A thread woken by a signal on c that waits on c again without having
 * signalled anything, while others wait, swallowed that wake-up. */
static void cond_note_swallow(struct thr *t, struct obj *c)
{
    if (t->woken_cond == c && t->nsignals == t->nsignals_at_wake && c->nwait > 0) {
        c->has_swallow = 1;
        c->swallow_by = t->lid;
        c->swallow_from = t->woken_from;
        c->swallow_step = g.step;
    }
    t->woken_cond = NULL;
}

static void cond_note_wake(struct thr *t, struct obj *c, int reason)
{
    t->woken_cond = reason == WR_SIGNAL ? c : NULL;
    t->nsignals_at_wake = t->nsignals;
    t->woken_from = t->woken_by;
}

static int cond_wake_result(int reason)
{
    switch (reason) {
    case WR_SIGNAL:
        return ER_SIGNAL;
    case WR_BROADCAST:
        return ER_BROADCAST;
    case WR_TIMEOUT:
        return ER_TIMEOUT;
    default:
        return ER_SPURIOUS;
    }
}

static int cond_deadline_passed(const struct timespec *abs, int clock)
{
    return abs && (long)sys_now_ns(clock) >= sys_ts_to_ns(abs);
}

/* Blocks t on c after it queued and released the mutex; returns the wake
 * reason. Now and then the wait ends at once without a signal (a spurious
 * wake-up): the condition is then usually still false. */
static int cond_block(struct thr *t, struct obj *c, const struct timespec *abs, int clock)
{
    if (cfg.mode != MODE_OBSERVE && sched_coin(t, SPURIOUS_PERMILLE)) {
        obj_dequeue(c, t);
        t->woken_by = -1;
        return WR_SPURIOUS;
    }
    if (cond_deadline_passed(abs, clock)) {
        obj_dequeue(c, t);
        t->woken_by = -1;
        return WR_TIMEOUT;
    }
    return sched_block(t);
}

/* The model wait: queue on c, release m, block, re-acquire m. Returns 0,
 * ETIMEDOUT, or the error of releasing m (EPERM when t does not own it). */
static int cond_model_wait(struct thr *t, pthread_mutex_t *m, struct obj *c,
                           struct obj *om, const struct timespec *abs, int clock)
{
    cond_note_swallow(t, c);
    wait_begin(t, WK_COND, c, abs, clock);
    t->wmutex = om;
    ev_emit_cond(t, EV_WAIT, c, om, ER_WAITING, -1, -1);
    int rc = mutex_release(t, m, om);
    if (rc) {
        wait_end(t);
        return rc;
    }
    int reason = cond_block(t, c, abs, clock);
    wait_end(t);
    t->wmutex = NULL;
    cond_note_wake(t, c, reason);
    ev_emit_cond(t, EV_WAKE, c, om, cond_wake_result(reason), t->woken_by, -1);
    rc = mutex_acquire(t, m, om, AM_LOCK, NULL);
    if (rc) return rc;
    return reason == WR_TIMEOUT ? ETIMEDOUT : 0;
}

/* A process-shared condition variable (or a robust mutex): the real wait,
 * outside the scheduler, with the mutex's ownership moved around it. */
static int cond_forward_wait(struct thr *t, pthread_cond_t *cv, pthread_mutex_t *m,
                             struct obj *c, struct obj *om, const struct timespec *abs,
                             int clock)
{
    ev_emit_cond(t, EV_WAIT, c, om, ER_OUTSIDE, -1, -1);
    if (obj_owner(om) == t && om->count == 1) {
        held_del(t, om, HM_LOCK);
        obj_set_owner(om, NULL);
        om->count = 0;
        mutex_wake_waiters(om);
    }
    sched_out(t);
    sys_unlock();
    int rc;
    if (!abs)
        rc = real.cond_wait(cv, m);
    else if (clock == cond_clock(cv) || !real.cond_clockwait)
        rc = real.cond_timedwait(cv, m, abs);
    else
        rc = real.cond_clockwait(cv, m, clock, abs);
    sched_lock();
    if (obj_owner(om) != t) {
        obj_set_owner(om, t);
        om->count = 1;
        om->ghost = 0;
        held_add(t, om, HM_LOCK);
    }
    sched_rejoin(t);
    ev_emit_cond(t, EV_WAKE, c, om, rc == ETIMEDOUT ? ER_TIMEOUT : ER_OUTSIDE, -1, -1);
    return rc;
}

static int cond_real_wait(pthread_cond_t *c, pthread_mutex_t *m,
                          const struct timespec *abs, int clock)
{
    if (!abs) return real.cond_wait(c, m);
    if (clock == cond_clock(c) || !real.cond_clockwait)
        return real.cond_timedwait(c, m, abs);
    return real.cond_clockwait(c, m, clock, abs);
}

/* Waits on c with m; abs is an absolute deadline on clock, or NULL. */
static int cond_wait_do(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs,
                        int clock, void *ra)
{
    struct thr *t = shim_self();
    if (!t) return cond_real_wait(c, m, abs, clock);
    sched_enter(t, ra);
    struct obj *oc = obj_get(c, OK_COND);
    struct obj *om = obj_get(m, OK_MUTEX);
    om->type = m->__data.__kind & 3;
    int rc;
    if (cond_pshared(c) || mutex_is_forwarded(m))
        rc = cond_forward_wait(t, c, m, oc, om, abs, clock);
    else
        rc = cond_model_wait(t, m, oc, om, abs, clock);
    sched_exit(t);
    stk_note_wait(ra);
    return rc;
}

/* Picks the waiter a signal wakes: a random one in pct and random mode,
 * the longest waiting one in observe mode. */
static struct thr *cond_pick(struct thr *t, struct obj *c)
{
    struct thr *w = c->whead;
    if (cfg.mode == MODE_OBSERVE || c->nwait < 2) return w;
    uint64_t *s = cfg.mode == MODE_PCT ? &g.rng : &t->rng;
    for (int k = (int)(rng_next(s) % (uint64_t)c->nwait); k > 0 && w->wnext; k--)
        w = w->wnext;
    return w;
}

static void cond_nobody(struct thr *t, struct obj *c, int all)
{
    c->has_nobody = 1;
    c->nobody_seq = ++g.order;
    c->nobody_step = g.step;
    c->nobody_tid = t->lid;
    c->nobody_bcast = all;
    c->nobody_pc = out_site_pc(&t->site);
    ev_emit(t, all ? EV_BROADCAST : EV_SIGNAL, c, ER_NOBODY, -1, 0);
}

static void cond_model_signal(struct thr *t, struct obj *c, int all)
{
    if (!c->whead) {
        cond_nobody(t, c, all);
        return;
    }
    if (!all) {
        struct thr *w = cond_pick(t, c);
        ev_emit(t, EV_SIGNAL, c, ER_OK, w->lid, 1);
        sched_wake(w, WR_SIGNAL, t->lid);
        return;
    }
    int n = c->nwait;
    ev_emit(t, EV_BROADCAST, c, ER_OK, -1, n);
    while (c->whead) sched_wake(c->whead, WR_BROADCAST, t->lid);
}

static int cond_signal_do(pthread_cond_t *c, int all, void *ra)
{
    struct thr *t = shim_self();
    if (!t) return all ? real.cond_broadcast(c) : real.cond_signal(c);
    sched_enter(t, ra);
    struct obj *oc = obj_get(c, OK_COND);
    t->nsignals++;
    int rc = 0;
    if (cond_pshared(c)) {
        rc = all ? real.cond_broadcast(c) : real.cond_signal(c);
        ev_emit(t, all ? EV_BROADCAST : EV_SIGNAL, oc, ER_OUTSIDE, -1, -1);
    } else {
        cond_model_signal(t, oc, all);
    }
    sched_exit(t);
    return rc;
}

/* ---- interposed functions ----------------------------------------------- */
SHIM_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    real_init();
    return cond_wait_do(c, m, NULL, CLOCK_REALTIME, SHIM_RA());
}

SHIM_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                       const struct timespec *abs)
{
    real_init();
    return cond_wait_do(c, m, abs, cond_clock(c), SHIM_RA());
}

SHIM_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m,
                                       clockid_t clock, const struct timespec *abs)
{
    real_init();
    return cond_wait_do(c, m, abs, clock, SHIM_RA());
}

SHIM_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
    real_init();
    return cond_signal_do(c, 0, SHIM_RA());
}

SHIM_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
    real_init();
    return cond_signal_do(c, 1, SHIM_RA());
}

/* init and destroy end the identity of the object at that address. */
static void cond_forget(pthread_cond_t *c)
{
    struct thr *t = shim_self();
    if (!t) return;
    t->in_shim = 1;
    sched_lock();
    obj_forget(c);
    sys_unlock();
    t->in_shim = 0;
}

SHIM_EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    real_init();
    cond_forget(c);
    return real.cond_init(c, attr);
}

SHIM_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
    real_init();
    cond_forget(c);
    return real.cond_destroy(c);
}

/* ---- C11 cnd_t (same layout as pthread_cond_t in glibc) ----------------- */
static int cond_c11_result(int rc)
{
    return rc == 0 ? thrd_success : rc == ETIMEDOUT ? thrd_timedout : thrd_error;
}

SHIM_EXPORT int cnd_wait(cnd_t *c, mtx_t *m)
{
    real_init();
    return cond_c11_result(cond_wait_do((pthread_cond_t *)(void *)c,
                                        (pthread_mutex_t *)(void *)m, NULL,
                                        CLOCK_REALTIME, SHIM_RA()));
}

SHIM_EXPORT int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m,
                              const struct timespec *restrict abs)
{
    real_init();
    return cond_c11_result(cond_wait_do((pthread_cond_t *)(void *)c,
                                        (pthread_mutex_t *)(void *)m, abs, CLOCK_REALTIME,
                                        SHIM_RA()));
}

SHIM_EXPORT int cnd_signal(cnd_t *c)
{
    real_init();
    return cond_c11_result(cond_signal_do((pthread_cond_t *)(void *)c, 0, SHIM_RA()));
}

SHIM_EXPORT int cnd_broadcast(cnd_t *c)
{
    real_init();
    return cond_c11_result(cond_signal_do((pthread_cond_t *)(void *)c, 1, SHIM_RA()));
}
