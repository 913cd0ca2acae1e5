/* Read-write locks in the model: the record knows the writer and how many
 * readers hold the lock; each thread's held list knows its read locks.
 * As for mutexes, the real lock is taken after the model's and released
 * before it; a real try that fails although the model saw the lock free
 * (another process holds it) falls back to the real blocking call outside
 * the scheduler.
 */
#include "shim.h"

#include <errno.h>

static int rw_try(pthread_rwlock_t *rw, int write)
{
    return write ? real.rw_trywrlock(rw) : real.rw_tryrdlock(rw);
}

static int rw_real(pthread_rwlock_t *rw, int write, const struct timespec *abs)
{
    if (abs) return write ? real.rw_timedwrlock(rw, abs) : real.rw_timedrdlock(rw, abs);
    return write ? real.rw_wrlock(rw) : real.rw_rdlock(rw);
}

static void rw_record(struct thr *t, struct obj *o, int write)
{
    if (write) {
        obj_set_owner(o, t);
        held_add(t, o, HM_WRITE);
    } else {
        o->nreaders++;
        held_add(t, o, HM_READ);
    }
    ev_emit(t, write ? EV_WRLOCK : EV_RDLOCK, o, ER_ACQUIRED, -1, -1);
}

/* The model lets t have the lock: the real try, or the real blocking call
 * outside the scheduler if someone the model does not know holds it. */
static int rw_take(struct thr *t, pthread_rwlock_t *rw, struct obj *o, int write,
                   int mode, const struct timespec *abs)
{
    int rc = rw_try(rw, write);
    if (rc == 0) {
        rw_record(t, o, write);
        return 0;
    }
    if (rc != EBUSY || mode == AM_TRY) {
        ev_emit(t, write ? EV_WRLOCK : EV_RDLOCK, o, rc == EBUSY ? ER_BUSY : ER_ERROR, -1,
                rc);
        return rc;
    }
    ev_emit(t, write ? EV_WRLOCK : EV_RDLOCK, o, ER_OUTSIDE, -1, -1);
    sched_out(t);
    sys_unlock();
    rc = rw_real(rw, write, mode == AM_TIMED ? abs : NULL);
    sched_lock();
    if (rc == 0) rw_record(t, o, write);
    sched_rejoin(t);
    return rc;
}

static int rw_free_for(struct obj *o, int write)
{
    if (obj_owner(o) || o->ghost) return 0;
    return !write || o->nreaders == 0;
}

static int rw_wait(struct thr *t, struct obj *o, int write, const struct timespec *abs)
{
    wait_begin(t, write ? WK_WRLOCK : WK_RDLOCK, o, abs, CLOCK_REALTIME);
    ev_emit(t, write ? EV_WRLOCK : EV_RDLOCK, o, ER_BLOCKED,
            obj_owner(o) ? obj_owner(o)->lid : -1, -1);
    if (!abs) diag_check_cycle(t);
    int r = sched_block(t);
    wait_end(t);
    return r;
}

/* Acquires rw (record o) for reading or writing in mode; returns what the
 * real function would return. */
static int rw_acquire(struct thr *t, pthread_rwlock_t *rw, struct obj *o, int write,
                      int mode, const struct timespec *abs)
{
    int op = write ? EV_WRLOCK : EV_RDLOCK;
    if (rw_free_for(o, write) && mode != AM_TRY) sched_nested_point(t);
    for (;;) {
        if (obj_owner(o) == t) {
            ev_emit(t, op, o, ER_DEADLK, t->lid, -1);
            return EDEADLK;
        }
        if (rw_free_for(o, write)) return rw_take(t, rw, o, write, mode, abs);
        if (mode == AM_TRY) {
            ev_emit(t, op, o, ER_BUSY, obj_owner(o) ? obj_owner(o)->lid : -1, -1);
            sched_busy(t);
            return EBUSY;
        }
        if (write && !abs && held_find(t, o, HM_READ))
            diag_self_deadlock(t, o, WK_WRLOCK);
        if ((abs && (long)sys_now_ns(CLOCK_REALTIME) >= sys_ts_to_ns(abs)) ||
            rw_wait(t, o, write, abs) == WR_TIMEOUT) {
            ev_emit(t, op, o, ER_TIMEOUT, -1, -1);
            return ETIMEDOUT;
        }
    }
}

/* Releases t's hold on rw: the real unlock, then the model; every waiter is
 * woken to try again. */
static int rw_release(struct thr *t, pthread_rwlock_t *rw, struct obj *o)
{
    int rc = real.rw_unlock(rw);
    if (rc) {
        ev_emit(t, EV_UNLOCK, o, ER_ERROR, -1, rc);
        return rc;
    }
    struct thr *writer = obj_owner(o);
    if (writer == t) {
        obj_set_owner(o, NULL);
        held_del(t, o, HM_WRITE);
    } else if (held_find(t, o, HM_READ)) {
        held_del(t, o, HM_READ);
        o->nreaders--;
    } else if (writer) {
        held_del(writer, o, HM_WRITE);
        obj_set_owner(o, NULL);
    } else if (o->nreaders > 0) {
        o->nreaders--;
    }
    ev_emit(t, EV_UNLOCK, o, ER_OK, -1, -1);
    while (o->whead) sched_wake(o->whead, WR_RELEASE, t->lid);
    return 0;
}

static int rw_do(pthread_rwlock_t *rw, int write, int mode, const struct timespec *abs,
                 void *ra)
{
    struct thr *t = shim_self();
    if (!t) {
        if (mode == AM_TRY) return rw_try(rw, write);
        return rw_real(rw, write, mode == AM_TIMED ? abs : NULL);
    }
    sched_enter(t, ra);
    struct obj *o = obj_get(rw, OK_RWLOCK);
    int rc = rw_acquire(t, rw, o, write, mode, abs);
    sched_exit(t);
    return rc;
}

SHIM_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    real_init();
    return rw_do(rw, 0, AM_LOCK, NULL, SHIM_RA());
}

SHIM_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    real_init();
    return rw_do(rw, 0, AM_TRY, NULL, SHIM_RA());
}

SHIM_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw,
                                           const struct timespec *abs)
{
    real_init();
    return rw_do(rw, 0, AM_TIMED, abs, SHIM_RA());
}

SHIM_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    real_init();
    return rw_do(rw, 1, AM_LOCK, NULL, SHIM_RA());
}

SHIM_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    real_init();
    return rw_do(rw, 1, AM_TRY, NULL, SHIM_RA());
}

SHIM_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw,
                                           const struct timespec *abs)
{
    real_init();
    return rw_do(rw, 1, AM_TIMED, abs, SHIM_RA());
}

SHIM_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    real_init();
    struct thr *t = shim_self();
    if (!t) return real.rw_unlock(rw);
    sched_enter(t, SHIM_RA());
    struct obj *o = obj_get(rw, OK_RWLOCK);
    int rc = rw_release(t, rw, o);
    sched_exit(t);
    return rc;
}

SHIM_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    real_init();
    struct thr *t = shim_self();
    if (!t) return real.rw_destroy(rw);
    sched_enter(t, SHIM_RA());
    int rc = real.rw_destroy(rw);
    obj_forget(rw);
    sched_exit(t);
    return rc;
}
