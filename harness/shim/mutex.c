/* Mutexes, spin locks and C11 mtx_t, and the per-thread list of held locks.
 *
 * The model decides who owns a lock: a thread takes a lock the model says is
 * free (then the real trylock, which succeeds unless a thread the shim does
 * not manage or another process holds it) and blocks in the model while
 * another managed thread owns it. The real lock is always taken after the
 * model's and released before it, so a model owner really owns the lock.
 * Robust and priority mutexes are forwarded with ownership bookkeeping only.
 */
#include "shim.h"

#include <errno.h>

enum { KIND_ROBUST_PI_PP = 16 | 32 | 64 };

/* The real operations of one lock kind. */
struct lock_ops {
    int (*trylock)(void *);
    int (*lock)(void *);
    int (*timedlock)(void *, const struct timespec *);
    int (*unlock)(void *);
};

static struct lock_ops lock_ops_of(const struct obj *o)
{
    struct lock_ops ops;
    if (o->kind == OK_SPIN) {
        ops.trylock = (int (*)(void *))real.spin_trylock;
        ops.lock = (int (*)(void *))real.spin_lock;
        ops.timedlock = NULL;
        ops.unlock = (int (*)(void *))real.spin_unlock;
    } else {
        ops.trylock = (int (*)(void *))real.mutex_trylock;
        ops.lock = (int (*)(void *))real.mutex_lock;
        ops.timedlock = (int (*)(void *, const struct timespec *))real.mutex_timedlock;
        ops.unlock = (int (*)(void *))real.mutex_unlock;
    }
    return ops;
}

/* ---- held locks --------------------------------------------------------- */
struct held *held_find(struct thr *t, struct obj *o, int mode)
{
    for (int i = 0; i < t->nheld; i++)
        if (t->held[i].obj == o && t->held[i].mode == mode)
            return &t->held[i];
    return NULL;
}

/* Records that t acquired o in mode, with the acquisition stack (only the
 * call site in random mode, where full stacks would cost too much). */
void held_add(struct thr *t, struct obj *o, int mode)
{
    struct held *h = held_find(t, o, mode);
    if (h) {
        h->count++;
        return;
    }
    if (t->nheld == MAX_HELD)
        return;
    h = &t->held[t->nheld++];
    h->obj = o;
    h->mode = mode;
    h->count = 1;
    if (cfg.mode == MODE_RANDOM) {
        h->stk.n = 1;
        h->stk.pc[0] = out_site_pc(&t->site);
    } else {
        stk_capture(&h->stk);
    }
}

void held_del(struct thr *t, struct obj *o, int mode)
{
    struct held *h = held_find(t, o, mode);
    if (!h || --h->count > 0)
        return;
    struct held *last = &t->held[t->nheld - 1];
    if (h != last)
        sys_copy(h, last, sizeof *h);
    t->nheld--;
}

/* ---- acquisition -------------------------------------------------------- */
static void lock_record(struct thr *t, struct obj *o, int mode)
{
    o->owner = t;
    o->count = 1;
    o->ghost = 0;
    held_add(t, o, HM_LOCK);
    ev_emit(t, mode == AM_TRY ? EV_TRYLOCK : EV_LOCK, o, ER_ACQUIRED, -1, -1);
}

/* The real lock is held by someone the model does not know (another
 * process, an unmanaged thread): t waits in the real call outside the
 * scheduler and records the ownership once it has the lock. */
static int lock_outside(struct thr *t, void *m, struct obj *o, int mode,
                        const struct timespec *abs)
{
    struct lock_ops ops = lock_ops_of(o);
    ev_emit(t, EV_LOCK, o, ER_OUTSIDE, -1, -1);
    sched_out(t);
    sys_unlock();
    int rc = mode == AM_TIMED && ops.timedlock ? ops.timedlock(m, abs) : ops.lock(m);
    sys_lock();
    if (rc == 0 || rc == EOWNERDEAD)
        lock_record(t, o, mode);
    sched_rejoin(t);
    return rc;
}

/* o is free in the model: take it, then the real lock. */
static int lock_take(struct thr *t, void *m, struct obj *o, int mode,
                     const struct timespec *abs)
{
    struct lock_ops ops = lock_ops_of(o);
    int rc = ops.trylock(m);
    if (rc == 0 || rc == EOWNERDEAD) {
        lock_record(t, o, mode);
        return rc;
    }
    if (rc != EBUSY || mode == AM_TRY) {
        ev_emit(t, mode == AM_TRY ? EV_TRYLOCK : EV_LOCK, o,
                rc == EBUSY ? ER_BUSY : ER_ERROR, -1, rc);
        return rc;
    }
    return lock_outside(t, m, o, mode, abs);
}

/* t waits in the model until o is released or the deadline passes.
 * Returns the wake reason. */
static int lock_wait(struct thr *t, struct obj *o, const struct timespec *abs)
{
    wait_begin(t, WK_LOCK, o, abs, CLOCK_REALTIME);
    ev_emit(t, EV_LOCK, o, ER_BLOCKED, o->owner ? o->owner->lid : -1, -1);
    if (!abs)
        diag_check_cycle(t);
    int r = sched_block(t);
    wait_end(t);
    return r;
}

/* t asks for o, which it already owns. */
static int lock_again(struct thr *t, void *m, struct obj *o, int mode,
                      const struct timespec *abs)
{
    struct lock_ops ops = lock_ops_of(o);
    if (o->kind == OK_MUTEX && o->type == PTHREAD_MUTEX_RECURSIVE) {
        int rc = ops.trylock(m);
        if (rc == 0)
            o->count++;
        ev_emit(t, mode == AM_TRY ? EV_TRYLOCK : EV_LOCK, o, rc ? ER_ERROR : ER_RECURSIVE,
                -1, rc ? rc : o->count);
        return rc;
    }
    if (mode == AM_TRY) {
        ev_emit(t, EV_TRYLOCK, o, ER_BUSY, t->lid, -1);
        return EBUSY;
    }
    if (o->kind == OK_MUTEX && o->type == PTHREAD_MUTEX_ERRORCHECK) {
        ev_emit(t, EV_LOCK, o, ER_DEADLK, t->lid, -1);
        return EDEADLK;
    }
    if (mode == AM_TIMED) {
        lock_wait(t, o, abs);
        return ETIMEDOUT;
    }
    diag_self_deadlock(t, o, WK_LOCK);
}

static int deadline_passed(const struct timespec *abs)
{
    return abs && (long)sys_now_ns(CLOCK_REALTIME) >= sys_ts_to_ns(abs);
}

/* Acquires mutex or spin lock m (record o) for t in mode (AM_LOCK, AM_TRY,
 * AM_TIMED with absolute CLOCK_REALTIME deadline abs). Returns what the
 * real function would: 0, EBUSY, ETIMEDOUT, EDEADLK, EOWNERDEAD, ... */
int mutex_acquire(struct thr *t, pthread_mutex_t *m, struct obj *o, int mode,
                  const struct timespec *abs)
{
    if (o->kind == OK_MUTEX)
        o->type = m->__data.__kind & 3;
    if (!o->owner && !o->ghost && mode != AM_TRY)
        sched_nested_point(t);
    for (;;) {
        if (!o->owner && !o->ghost)
            return lock_take(t, m, o, mode, abs);
        if (o->owner == t)
            return lock_again(t, m, o, mode, abs);
        if (mode == AM_TRY) {
            ev_emit(t, EV_TRYLOCK, o, ER_BUSY, o->owner ? o->owner->lid : -1, -1);
            return EBUSY;
        }
        if (deadline_passed(abs) || lock_wait(t, o, abs) == WR_TIMEOUT) {
            ev_emit(t, EV_LOCK, o, ER_TIMEOUT, -1, -1);
            return ETIMEDOUT;
        }
    }
}

/* ---- release ------------------------------------------------------------ */
/* Wakes the threads waiting for o: all of them in pct mode (the scheduler
 * then picks who gets it), the first one otherwise. */
void mutex_wake_waiters(struct obj *o)
{
    while (o->whead) {
        sched_wake(o->whead, WR_RELEASE, -1);
        if (cfg.mode != MODE_PCT)
            break;
    }
}

/* Releases m (record o) for t: the real unlock first, then the model. */
int mutex_release(struct thr *t, pthread_mutex_t *m, struct obj *o)
{
    struct lock_ops ops = lock_ops_of(o);
    if (o->owner == t && o->count > 1) {
        int rc = ops.unlock(m);
        if (rc == 0)
            o->count--;
        ev_emit(t, EV_UNLOCK, o, rc ? ER_ERROR : ER_OK, -1, rc ? rc : o->count);
        return rc;
    }
    int rc = ops.unlock(m);
    if (rc) {
        ev_emit(t, EV_UNLOCK, o, ER_ERROR, -1, rc);
        return rc;
    }
    struct thr *prev = o->owner;
    if (prev)
        held_del(prev, o, HM_LOCK);
    o->owner = NULL;
    o->count = 0;
    o->ghost = 0;
    ev_emit(t, EV_UNLOCK, o, ER_OK, prev && prev != t ? prev->lid : -1, -1);
    mutex_wake_waiters(o);
    return 0;
}

/* ---- forwarded (robust, priority-inheriting, priority-protected) -------- */
static int forward_acquire(struct thr *t, pthread_mutex_t *m, struct obj *o, int mode,
                           const struct timespec *abs)
{
    int rc = real.mutex_trylock(m);
    if (rc == 0 || rc == EOWNERDEAD) {
        lock_record(t, o, mode);
        return rc;
    }
    if (rc != EBUSY || mode == AM_TRY)
        return rc;
    return lock_outside(t, m, o, mode, abs);
}

static int forward_release(struct thr *t, pthread_mutex_t *m, struct obj *o)
{
    int rc = real.mutex_unlock(m);
    if (rc == 0 && o->owner == t) {
        held_del(t, o, HM_LOCK);
        o->owner = NULL;
    }
    ev_emit(t, EV_UNLOCK, o, rc ? ER_ERROR : ER_OK, -1, -1);
    return rc;
}

int mutex_is_forwarded(const pthread_mutex_t *m)
{
    return (m->__data.__kind & KIND_ROBUST_PI_PP) != 0;
}

/* ---- interposed functions ----------------------------------------------- */
static int mutex_do(pthread_mutex_t *m, int mode, const struct timespec *abs, void *ra)
{
    struct thr *t = shim_self();
    if (!t) {
        if (mode == AM_TRY)
            return real.mutex_trylock(m);
        return mode == AM_TIMED ? real.mutex_timedlock(m, abs) : real.mutex_lock(m);
    }
    sched_enter(t, ra);
    struct obj *o = obj_get(m, OK_MUTEX);
    int rc = mutex_is_forwarded(m) ? forward_acquire(t, m, o, mode, abs)
                             : mutex_acquire(t, m, o, mode, abs);
    sched_exit(t);
    return rc;
}

static int mutex_unlock_do(pthread_mutex_t *m, void *ra)
{
    struct thr *t = shim_self();
    if (!t)
        return real.mutex_unlock(m);
    sched_enter(t, ra);
    struct obj *o = obj_get(m, OK_MUTEX);
    int rc = mutex_is_forwarded(m) ? forward_release(t, m, o) : mutex_release(t, m, o);
    sched_exit(t);
    return rc;
}

SHIM_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    real_init();
    return mutex_do(m, AM_LOCK, NULL, SHIM_RA());
}

SHIM_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    real_init();
    return mutex_do(m, AM_TRY, NULL, SHIM_RA());
}

SHIM_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs)
{
    real_init();
    return mutex_do(m, AM_TIMED, abs, SHIM_RA());
}

SHIM_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    real_init();
    return mutex_unlock_do(m, SHIM_RA());
}

SHIM_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
    real_init();
    struct thr *t = shim_self();
    if (!t)
        return real.mutex_destroy(m);
    sched_enter(t, SHIM_RA());
    struct obj *o = obj_find(m);
    if (o && (o->owner || o->whead))
        ev_emit(t, EV_DESTROY, o, ER_BUSY_DESTROY, o->owner ? o->owner->lid : -1, -1);
    int rc = real.mutex_destroy(m);
    obj_forget(m);
    sched_exit(t);
    return rc;
}

/* ---- spin locks ---------------------------------------------------------- */
static int spin_do(pthread_spinlock_t *s, int mode, void *ra)
{
    struct thr *t = shim_self();
    if (!t)
        return mode == AM_TRY ? real.spin_trylock(s) : real.spin_lock(s);
    sched_enter(t, ra);
    struct obj *o = obj_get((void *)s, OK_SPIN);
    int rc = mutex_acquire(t, (pthread_mutex_t *)(void *)s, o, mode, NULL);
    sched_exit(t);
    return rc;
}

SHIM_EXPORT int pthread_spin_lock(pthread_spinlock_t *s)
{
    real_init();
    return spin_do(s, AM_LOCK, SHIM_RA());
}

SHIM_EXPORT int pthread_spin_trylock(pthread_spinlock_t *s)
{
    real_init();
    return spin_do(s, AM_TRY, SHIM_RA());
}

SHIM_EXPORT int pthread_spin_unlock(pthread_spinlock_t *s)
{
    real_init();
    struct thr *t = shim_self();
    if (!t)
        return real.spin_unlock(s);
    sched_enter(t, SHIM_RA());
    struct obj *o = obj_get((void *)s, OK_SPIN);
    int rc = mutex_release(t, (pthread_mutex_t *)(void *)s, o);
    sched_exit(t);
    return rc;
}

/* ---- C11 mtx_t (same layout as pthread_mutex_t in glibc) --------------- */
static int c11_result(int rc)
{
    switch (rc) {
    case 0:
        return thrd_success;
    case EBUSY:
        return thrd_busy;
    case ETIMEDOUT:
        return thrd_timedout;
    default:
        return thrd_error;
    }
}

SHIM_EXPORT int mtx_lock(mtx_t *m)
{
    real_init();
    return c11_result(mutex_do((pthread_mutex_t *)(void *)m, AM_LOCK, NULL, SHIM_RA()));
}

SHIM_EXPORT int mtx_trylock(mtx_t *m)
{
    real_init();
    return c11_result(mutex_do((pthread_mutex_t *)(void *)m, AM_TRY, NULL, SHIM_RA()));
}

SHIM_EXPORT int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict abs)
{
    real_init();
    return c11_result(mutex_do((pthread_mutex_t *)(void *)m, AM_TIMED, abs, SHIM_RA()));
}

SHIM_EXPORT int mtx_unlock(mtx_t *m)
{
    real_init();
    return c11_result(mutex_unlock_do((pthread_mutex_t *)(void *)m, SHIM_RA()));
}
