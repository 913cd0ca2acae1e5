/* Semaphores and barriers.
 *
 * Process-private semaphores keep their count in the real object (sem_trywait
 * and sem_post) and their waiters in the model. Process-private barriers are
 * entirely in the model. Process-shared ones (in memory shared with other
 * processes) are forwarded: a waiter leaves the scheduler while it waits in
 * the real call.
 */
#include "shim.h"

#include <errno.h>

static _Atomic int posts_pending; /* sem_post calls the model did not see */

/* glibc keeps 0 (private) or 128 (shared) in the int after the 64-bit value. */
static int sem_is_shared(const sem_t *s)
{
    int private_flag;
    sys_copy(&private_flag, (const char *)s + 8, sizeof private_flag);
    return private_flag != 0 && !cfg.one_process; /* STRESS_ONE_PROCESS: modelled */
}

/* A post wakes one waiter, which retries sem_trywait. */
static void sem_wake_one(struct obj *o, long by)
{
    struct thr *w = sched_pick_waiter(o);
    if (w) sched_wake(w, WR_RELEASE, by);
}

/* Wakes every semaphore waiter after posts the model missed (a sem_post from
 * a signal handler that interrupted the shim, or from an unmanaged thread). */
void sem_catch_up(void)
{
    if (!atomic_load_explicit(&posts_pending, memory_order_relaxed) ||
        !atomic_exchange(&posts_pending, 0))
        return;
    for (int i = 0; i < g.nslots; i++) {
        struct thr *t = g.slots[i];
        if (t && t->state == TS_BLOCKED && t->wkind == WK_SEM)
            sched_wake(t, WR_RELEASE, -1);
    }
}

static int sem_fail(int err)
{
    errno = err;
    return -1;
}

static int sem_model_wait(struct thr *t, sem_t *s, struct obj *o, int mode,
                          const struct timespec *abs)
{
    for (;;) {
        if (real.sem_trywait(s) == 0) {
            ev_emit(t, EV_SEM_WAIT, o, ER_OK, -1, -1);
            return 0;
        }
        if (mode == AM_TRY) {
            ev_emit(t, EV_SEM_WAIT, o, ER_BUSY, -1, -1);
            sched_busy(t);
            return sem_fail(EAGAIN);
        }
        if (abs && (long)sys_now_ns(CLOCK_REALTIME) >= sys_ts_to_ns(abs)) break;
        wait_begin(t, WK_SEM, o, abs, CLOCK_REALTIME);
        ev_emit(t, EV_SEM_WAIT, o, ER_BLOCKED, -1, -1);
        int r = sched_block(t);
        wait_end(t);
        if (r == WR_TIMEOUT) break;
    }
    ev_emit(t, EV_SEM_WAIT, o, ER_TIMEOUT, -1, -1);
    return sem_fail(ETIMEDOUT);
}

static int sem_forward_wait(struct thr *t, sem_t *s, struct obj *o, int mode,
                            const struct timespec *abs)
{
    if (real.sem_trywait(s) == 0) {
        ev_emit(t, EV_SEM_WAIT, o, ER_OK, -1, -1);
        return 0;
    }
    if (mode == AM_TRY) return sem_fail(EAGAIN);
    ev_emit(t, EV_SEM_WAIT, o, ER_OUTSIDE, -1, -1);
    sched_out(t);
    sys_unlock();
    int rc = abs ? real.sem_timedwait(s, abs) : real.sem_wait(s);
    int err = errno;
    sched_lock();
    sched_rejoin(t);
    errno = err;
    return rc;
}

static int sem_wait_do(sem_t *s, int mode, const struct timespec *abs, void *ra)
{
    struct thr *t = shim_self();
    if (!t) {
        if (mode == AM_TRY) return real.sem_trywait(s);
        return abs ? real.sem_timedwait(s, abs) : real.sem_wait(s);
    }
    sched_enter(t, ra);
    struct obj *o = obj_get(s, OK_SEM);
    int rc = sem_is_shared(s) ? sem_forward_wait(t, s, o, mode, abs)
                              : sem_model_wait(t, s, o, mode, abs);
    int err = errno;
    sched_exit(t);
    if (mode != AM_TRY) stk_note_wait(ra);
    errno = err;
    return rc;
}

SHIM_EXPORT int sem_wait(sem_t *s)
{
    real_init();
    return sem_wait_do(s, AM_LOCK, NULL, SHIM_RA());
}

SHIM_EXPORT int sem_trywait(sem_t *s)
{
    real_init();
    return sem_wait_do(s, AM_TRY, NULL, SHIM_RA());
}

SHIM_EXPORT int sem_timedwait(sem_t *s, const struct timespec *abs)
{
    real_init();
    return sem_wait_do(s, AM_TIMED, abs, SHIM_RA());
}

SHIM_EXPORT int sem_post(sem_t *s)
{
    real_init();
    struct thr *t = shim_self();
    if (!t) {
        int rc = real.sem_post(s);
        if (shim_active) atomic_store(&posts_pending, 1);
        return rc;
    }
    sched_enter(t, SHIM_RA());
    struct obj *o = obj_get(s, OK_SEM);
    int rc = real.sem_post(s);
    int err = errno;
    ev_emit(t, EV_SEM_POST, o, rc ? ER_ERROR : ER_OK, -1, o->nwait);
    if (rc == 0) sem_wake_one(o, t->lid);
    sched_exit(t);
    errno = err;
    return rc;
}

SHIM_EXPORT int sem_destroy(sem_t *s)
{
    real_init();
    struct thr *t = shim_self();
    if (!t) return real.sem_destroy(s);
    sched_enter(t, SHIM_RA());
    int rc = real.sem_destroy(s);
    obj_forget(s);
    sched_exit(t);
    return rc;
}

/* ---- barriers ------------------------------------------------------------ */
/* glibc's pthread_barrier_t: in, current_round, count, shared, out. */
static unsigned barrier_field(const pthread_barrier_t *b, int i)
{
    unsigned v;
    sys_copy(&v, (const char *)b + 4 * i, sizeof v);
    return v;
}

static int barrier_forward(struct thr *t, pthread_barrier_t *b, struct obj *o)
{
    ev_emit(t, EV_BARRIER, o, ER_OUTSIDE, -1, -1);
    sched_out(t);
    sys_unlock();
    int rc = real.barrier_wait(b);
    sched_lock();
    sched_rejoin(t);
    return rc;
}

/* The model barrier: the last of `count` arrivals releases the others and
 * gets PTHREAD_BARRIER_SERIAL_THREAD. */
static int barrier_model(struct thr *t, pthread_barrier_t *b, struct obj *o)
{
    o->needed = barrier_field(b, 2);
    if (++o->arrived >= o->needed) {
        o->arrived = 0;
        o->gen++;
        ev_emit(t, EV_BARRIER, o, ER_SERIAL, -1, o->nwait);
        while (o->whead) sched_wake(o->whead, WR_RELEASE, t->lid);
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    unsigned long gen = o->gen;
    ev_emit(t, EV_BARRIER, o, ER_WAITING, -1, (long)o->arrived);
    while (o->gen == gen) {
        wait_begin(t, WK_BARRIER, o, NULL, 0);
        sched_block(t);
        wait_end(t);
    }
    ev_emit(t, EV_BARRIER, o, ER_OK, -1, -1);
    return 0;
}

SHIM_EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
    real_init();
    struct thr *t = shim_self();
    if (!t) return real.barrier_wait(b);
    sched_enter(t, SHIM_RA());
    struct obj *o = obj_get(b, OK_BARRIER);
    int rc = barrier_field(b, 3) ? barrier_forward(t, b, o) : barrier_model(t, b, o);
    sched_exit(t);
    return rc;
}

SHIM_EXPORT int pthread_barrier_destroy(pthread_barrier_t *b)
{
    real_init();
    struct thr *t = shim_self();
    if (!t) return real.barrier_destroy(b);
    sched_enter(t, SHIM_RA());
    int rc = barrier_field(b, 3) || !obj_find(b) ? real.barrier_destroy(b) : 0;
    obj_forget(b);
    sched_exit(t);
    return rc;
}
