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

static struct lock_ops lock_ops_get(const struct obj *o)
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
        if (t->held[i].obj == o && t->held[i].mode == mode) return &t->held[i];
    return NULL;
}

/* Records that t acquired o in mode, with the acquisition stack: the full
 * stack in pct mode, only the call site in random and observe mode (an
 * unwind on every acquisition would slow the program down many times). */
void held_add(struct thr *t, struct obj *o, int mode)
{
    struct held *h = held_find(t, o, mode);
    if (h) {
        h->count++;
        return;
    }
    if (t->nheld == MAX_HELD) return;
    h = &t->held[t->nheld++];
    h->obj = o;
    h->mode = mode;
    h->count = 1;
    if (cfg.mode != MODE_PCT) {
        h->stk.n = 1;
        h->stk.pc[0] = out_site_pc(&t->site);
    } else {
        stk_capture(&h->stk);
    }
}

void held_del(struct thr *t, struct obj *o, int mode)
{
    struct held *h = held_find(t, o, mode);
    if (!h || --h->count > 0) return;
    struct held *last = &t->held[t->nheld - 1];
    if (h != last) sys_copy(h, last, sizeof *h);
    t->nheld--;
}

/* ---- acquisition (global lock held) ------------------------------------ */
enum { LOCK_RETRY = -2 };

/* t now owns o: count, held list, waiters mark, event. */
static void lock_record(struct thr *t, struct obj *o, int mode)
{
    o->count = 1;
    o->ghost = 0;
    obj_set_owner(o, t);
    held_add(t, o, HM_LOCK);
    ev_emit(t, mode == AM_TRY ? EV_TRYLOCK : EV_LOCK, o, ER_ACQUIRED, -1, -1);
}

/* A waiter gives up (timeout) or the model gave o up without waking anyone:
 * make sure a thread still waiting for o will be woken by the next release. */
static void lock_pass_on(struct obj *o)
{
    while (o->whead) {
        uintptr_t s = atomic_load(&o->lockword);
        if (s == 0) {
            sched_wake(o->whead, WR_RELEASE, -1);
            return;
        }
        if ((s & LW_WAITERS) ||
            atomic_compare_exchange_strong(&o->lockword, &s, s | LW_WAITERS))
            return;
    }
}

/* The real lock is held by someone the model does not know (another
 * process, an unmanaged thread): t waits in the real call outside the
 * scheduler and records the ownership once it has the lock. */
static int lock_outside(struct thr *t, void *m, struct obj *o, int mode,
                        const struct timespec *abs)
{
    struct lock_ops ops = lock_ops_get(o);
    ev_emit(t, EV_LOCK, o, ER_OUTSIDE, -1, -1);
    sched_out(t);
    sys_unlock();
    int rc = mode == AM_TIMED && ops.timedlock ? ops.timedlock(m, abs) : ops.lock(m);
    sched_lock();
    if (rc == 0 || rc == EOWNERDEAD) lock_record(t, o, mode);
    sched_rejoin(t);
    return rc;
}

/* o is free in the model: claim it, then take the real lock. Returns
 * LOCK_RETRY if another thread claimed it first. */
static int lock_take(struct thr *t, void *m, struct obj *o, int mode,
                     const struct timespec *abs)
{
    struct lock_ops ops = lock_ops_get(o);
    uintptr_t free_word = 0;
    if (!atomic_compare_exchange_strong(&o->lockword, &free_word, (uintptr_t)t))
        return LOCK_RETRY;
    int rc = ops.trylock(m);
    if (rc == 0 || rc == EOWNERDEAD) {
        lock_record(t, o, mode);
        return rc;
    }
    obj_set_owner(o, NULL);
    lock_pass_on(o);
    if (rc != EBUSY || mode == AM_TRY) {
        ev_emit(t, mode == AM_TRY ? EV_TRYLOCK : EV_LOCK, o,
                rc == EBUSY ? ER_BUSY : ER_ERROR, -1, rc);
        return rc;
    }
    return lock_outside(t, m, o, mode, abs);
}

/* t waits in the model until o is released or the deadline passes.
 * Returns the wake reason; WR_NONE without waiting if o became free. */
static int lock_wait(struct thr *t, struct obj *o, const struct timespec *abs)
{
    uintptr_t s = atomic_load(&o->lockword);
    while (s != 0 && !(s & LW_WAITERS) &&
           !atomic_compare_exchange_strong(&o->lockword, &s, s | LW_WAITERS))
        ;
    if (s == 0 && !o->ghost) return WR_NONE;
    wait_begin(t, WK_LOCK, o, abs, CLOCK_REALTIME);
    struct thr *own = obj_owner(o);
    ev_emit(t, EV_LOCK, o, ER_BLOCKED, own ? own->lid : -1, -1);
    if (!abs) diag_check_cycle(t);
    int r = sched_block(t);
    wait_end(t);
    return r;
}

/* t asks for o, which it already owns. */
static int lock_again(struct thr *t, void *m, struct obj *o, int mode,
                      const struct timespec *abs)
{
    struct lock_ops ops = lock_ops_get(o);
    if (o->kind == OK_MUTEX && o->type == PTHREAD_MUTEX_RECURSIVE) {
        int rc = ops.trylock(m);
        if (rc == 0) o->count++;
        ev_emit(t, mode == AM_TRY ? EV_TRYLOCK : EV_LOCK, o, rc ? ER_ERROR : ER_RECURSIVE,
                -1, rc ? rc : o->count);
        return rc;
    }
    if (mode == AM_TRY) {
        ev_emit(t, EV_TRYLOCK, o, ER_BUSY, t->lid, -1);
        sched_busy(t);
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

static int lock_deadline_passed(const struct timespec *abs)
{
    return abs && (long)sys_now_ns(CLOCK_REALTIME) >= sys_ts_to_ns(abs);
}

static int lock_timed_out(struct thr *t, struct obj *o)
{
    lock_pass_on(o);
    ev_emit(t, EV_LOCK, o, ER_TIMEOUT, -1, -1);
    return ETIMEDOUT;
}

/* Acquires mutex or spin lock m (record o) for t in mode (AM_LOCK, AM_TRY,
 * AM_TIMED with absolute CLOCK_REALTIME deadline abs). Returns what the
 * real function would: 0, EBUSY, ETIMEDOUT, EDEADLK, EOWNERDEAD, ... */
int mutex_acquire(struct thr *t, pthread_mutex_t *m, struct obj *o, int mode,
                  const struct timespec *abs)
{
    if (o->kind == OK_MUTEX) o->type = m->__data.__kind & 3;
    if (!obj_owner(o) && !o->ghost && mode != AM_TRY) sched_nested_point(t);
    for (;;) {
        struct thr *own = obj_owner(o);
        if (!own && !o->ghost) {
            int rc = lock_take(t, m, o, mode, abs);
            if (rc != LOCK_RETRY) return rc;
            continue;
        }
        if (own == t) return lock_again(t, m, o, mode, abs);
        if (mode == AM_TRY) {
            ev_emit(t, EV_TRYLOCK, o, ER_BUSY, own ? own->lid : -1, -1);
            sched_busy(t);
            return EBUSY;
        }
        if (lock_deadline_passed(abs) || lock_wait(t, o, abs) == WR_TIMEOUT)
            return lock_timed_out(t, o);
    }
}

/* ---- release (global lock held) ----------------------------------------- */
/* Wakes one thread waiting for o, which retries: the one with the highest
 * priority in pct mode (the one the scheduler would let win), the longest
 * waiting one otherwise. The others stay queued; o's waiters mark makes the
 * next release wake the next one. */
void mutex_wake_waiters(struct obj *o)
{
    struct thr *w = sched_pick_waiter(o);
    if (w) sched_wake(w, WR_RELEASE, -1);
}

/* Releases m (record o) for t: the real unlock first, then the model. */
int mutex_release(struct thr *t, pthread_mutex_t *m, struct obj *o)
{
    struct lock_ops ops = lock_ops_get(o);
    struct thr *own = obj_owner(o);
    if (own == t && o->count > 1) {
        int rc = ops.unlock(m);
        if (rc == 0) o->count--;
        ev_emit(t, EV_UNLOCK, o, rc ? ER_ERROR : ER_OK, -1, rc ? rc : o->count);
        return rc;
    }
    int rc = ops.unlock(m);
    if (rc) {
        ev_emit(t, EV_UNLOCK, o, ER_ERROR, -1, rc);
        return rc;
    }
    if (own) held_del(own, o, HM_LOCK);
    obj_set_owner(o, NULL);
    o->count = 0;
    o->ghost = 0;
    ev_emit(t, EV_UNLOCK, o, ER_OK, own && own != t ? own->lid : -1, -1);
    mutex_wake_waiters(o);
    return 0;
}

/* ---- fast paths (random and observe mode, no global lock) --------------- */
enum { FAST_FAIL = -1 };

/* A fast claim whose real trylock failed: give the claim back. */
static void fast_undo(struct thr *t, struct obj *o)
{
    sched_lock();
    if (obj_owner(o) == t) {
        obj_set_owner(o, NULL);
        lock_pass_on(o);
    }
    sys_unlock();
}

/* Takes a free lock, or re-takes a recursive one t owns, without the
 * global lock. Returns FAST_FAIL when the slow path must decide. */
static int lock_fast(struct thr *t, void *m, struct obj *o, int mode)
{
    struct lock_ops ops = lock_ops_get(o);
    uintptr_t seen = 0;
    if (!o->ghost && atomic_compare_exchange_strong(&o->lockword, &seen, (uintptr_t)t)) {
        int rc = ops.trylock(m);
        if (rc == 0 || rc == EOWNERDEAD) {
            o->count = 1;
            held_add(t, o, HM_LOCK);
            ev_emit(t, mode == AM_TRY ? EV_TRYLOCK : EV_LOCK, o, ER_ACQUIRED, -1, -1);
            return rc;
        }
        fast_undo(t, o);
        return FAST_FAIL;
    }
    int mine = (seen & ~(uintptr_t)LW_WAITERS) == (uintptr_t)t;
    int recursive = o->kind == OK_MUTEX && (((pthread_mutex_t *)m)->__data.__kind & 3) ==
                                               PTHREAD_MUTEX_RECURSIVE;
    if (mine && recursive) {
        int rc = ops.trylock(m);
        if (rc == 0) o->count++;
        ev_emit(t, mode == AM_TRY ? EV_TRYLOCK : EV_LOCK, o, rc ? ER_ERROR : ER_RECURSIVE,
                -1, rc ? rc : o->count);
        return rc;
    }
    if (mode == AM_TRY && seen && !mine) {
        ev_emit(t, EV_TRYLOCK, o, ER_BUSY, obj_owner(o) ? obj_owner(o)->lid : -1, -1);
        sched_busy(t);
        return EBUSY;
    }
    return FAST_FAIL;
}

/* Releases a lock t owns without the global lock unless threads wait for
 * it in the model. Returns FAST_FAIL when the slow path must decide. */
static int unlock_fast(struct thr *t, void *m, struct obj *o)
{
    struct lock_ops ops = lock_ops_get(o);
    if (obj_owner(o) != t) return FAST_FAIL;
    int rc = ops.unlock(m);
    if (rc || o->count > 1) {
        if (rc == 0) o->count--;
        ev_emit(t, EV_UNLOCK, o, rc ? ER_ERROR : ER_OK, -1, rc ? rc : o->count);
        return rc;
    }
    held_del(t, o, HM_LOCK);
    o->count = 0;
    uintptr_t mine = (uintptr_t)t;
    if (atomic_compare_exchange_strong(&o->lockword, &mine, 0)) {
        ev_emit(t, EV_UNLOCK, o, ER_OK, -1, -1);
        return 0;
    }
    sched_lock();
    obj_set_owner(o, NULL);
    ev_emit(t, EV_UNLOCK, o, ER_OK, -1, -1);
    mutex_wake_waiters(o);
    sys_unlock();
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
    if (rc != EBUSY || mode == AM_TRY) return rc;
    return lock_outside(t, m, o, mode, abs);
}

static int forward_release(struct thr *t, pthread_mutex_t *m, struct obj *o)
{
    int rc = real.mutex_unlock(m);
    if (rc == 0 && obj_owner(o) == t) {
        held_del(t, o, HM_LOCK);
        obj_set_owner(o, NULL);
    }
    ev_emit(t, EV_UNLOCK, o, rc ? ER_ERROR : ER_OK, -1, -1);
    return rc;
}

int mutex_is_forwarded(const pthread_mutex_t *m)
{
    return (m->__data.__kind & KIND_ROBUST_PI_PP) != 0;
}

/* Runs lock operation mode on m of kind (mutex or spin lock) for t: the
 * fast path when the mode allows it, else under the global lock. */
static int lock_do(struct thr *t, void *m, int kind, int mode, const struct timespec *abs,
                   void *ra)
{
    int fwd = kind == OK_MUTEX && mutex_is_forwarded(m);
    if (mode != AM_TIMED && !fwd && sched_fast_enter(t, ra)) {
        struct obj *o = obj_peek(m, kind);
        int rc = o ? lock_fast(t, m, o, mode) : FAST_FAIL;
        if (rc != FAST_FAIL) {
            sched_fast_exit(t);
            return rc;
        }
        sched_fast_to_slow(t);
    } else {
        sched_enter(t, ra);
    }
    struct obj *o = obj_get(m, kind);
    int rc =
        fwd ? forward_acquire(t, m, o, mode, abs) : mutex_acquire(t, m, o, mode, abs);
    sched_exit(t);
    return rc;
}

static int unlock_do(struct thr *t, void *m, int kind, void *ra)
{
    int fwd = kind == OK_MUTEX && mutex_is_forwarded(m);
    if (!fwd && sched_fast_enter(t, ra)) {
        struct obj *o = obj_peek(m, kind);
        int rc = o ? unlock_fast(t, m, o) : FAST_FAIL;
        if (rc != FAST_FAIL) {
            sched_fast_exit(t);
            return rc;
        }
        sched_fast_to_slow(t);
    } else {
        sched_enter(t, ra);
    }
    struct obj *o = obj_get(m, kind);
    int rc = fwd ? forward_release(t, m, o) : mutex_release(t, m, o);
    sched_exit(t);
    return rc;
}

/* ---- interposed functions ----------------------------------------------- */
static int mutex_do(pthread_mutex_t *m, int mode, const struct timespec *abs, void *ra)
{
    struct thr *t = shim_self();
    if (!t) {
        if (mode == AM_TRY) return real.mutex_trylock(m);
        return mode == AM_TIMED ? real.mutex_timedlock(m, abs) : real.mutex_lock(m);
    }
    return lock_do(t, m, OK_MUTEX, mode, abs, ra);
}

static int mutex_unlock_do(pthread_mutex_t *m, void *ra)
{
    struct thr *t = shim_self();
    if (!t) return real.mutex_unlock(m);
    return unlock_do(t, m, OK_MUTEX, ra);
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
    if (!t) return real.mutex_destroy(m);
    sched_enter(t, SHIM_RA());
    struct obj *o = obj_find(m);
    if (o && (obj_owner(o) || o->whead))
        ev_emit(t, EV_DESTROY, o, ER_BUSY_DESTROY, obj_owner(o) ? obj_owner(o)->lid : -1,
                -1);
    int rc = real.mutex_destroy(m);
    obj_forget(m);
    sched_exit(t);
    return rc;
}

/* ---- spin locks ---------------------------------------------------------- */
static int spin_do(pthread_spinlock_t *s, int mode, void *ra)
{
    struct thr *t = shim_self();
    if (!t) return mode == AM_TRY ? real.spin_trylock(s) : real.spin_lock(s);
    return lock_do(t, (void *)s, OK_SPIN, mode, NULL, ra);
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
    if (!t) return real.spin_unlock(s);
    return unlock_do(t, (void *)s, OK_SPIN, SHIM_RA());
}

/* ---- C11 mtx_t (same layout as pthread_mutex_t in glibc) --------------- */
static int mtx_result(int rc)
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
    return mtx_result(mutex_do((pthread_mutex_t *)(void *)m, AM_LOCK, NULL, SHIM_RA()));
}

SHIM_EXPORT int mtx_trylock(mtx_t *m)
{
    real_init();
    return mtx_result(mutex_do((pthread_mutex_t *)(void *)m, AM_TRY, NULL, SHIM_RA()));
}

SHIM_EXPORT int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict abs)
{
    real_init();
    return mtx_result(mutex_do((pthread_mutex_t *)(void *)m, AM_TIMED, abs, SHIM_RA()));
}

SHIM_EXPORT int mtx_unlock(mtx_t *m)
{
    real_init();
    return mtx_result(mutex_unlock_do((pthread_mutex_t *)(void *)m, SHIM_RA()));
}
