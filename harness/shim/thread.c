/* Threads (pthread and C11), fork, yields, sleeps and failed assertions.
 *
 * A managed thread starts in a trampoline that records it and, when its
 * start routine returns, is cancelled or calls pthread_exit, marks it
 * exited at an interposed point of its own (the cleanup attribute runs
 * during the forced unwinding of pthread_exit and cancellation).
 */
#include "shim.h"

#include <dlfcn.h>
#include <errno.h>

/* ---- fault injection ---------------------------------------------------- */
static void inject_write(struct thr *t, const char *call, unsigned long index)
{
    char mem[1024];
    struct jb b;
    jb_init(&b, mem, sizeof mem);
    jb_head(&b, "inject");
    jb_puts(&b, ",\"call\":");
    jb_str(&b, call);
    jb_puts(&b, ",\"index\":");
    jb_u64(&b, index);
    jb_puts(&b, ",\"errno\":\"EAGAIN\",\"tid\":");
    jb_tid(&b, t->lid);
    jb_puts(&b, ",\"step\":");
    jb_u64(&b, g.step);
    void *pc = out_site_pc(&t->site);
    if (pc) {
        jb_puts(&b, ",\"site\":");
        jb_frame(&b, pc);
    }
    jb_putc(&b, '}');
    out_line(&b, 1);
}

/* ---- start and end of threads ------------------------------------------- */
/* Marks t exited with return value ret at an interposed point: joiners wake,
 * the token moves on, a stall is checked. The calling thread is no longer
 * managed afterwards (its record may be reused once joined). */
void thread_finish(struct thr *t, void *ret)
{
    if (t->finished) return;
    t->finished = 1;
    sched_enter(t, NULL);
    t->retval = ret;
    sched_flush_counts(t);
    ev_emit(t, EV_EXIT, NULL, ER_OK, -1, t->nheld);
    thr_set(t, TS_EXITED);
    for (int i = 0; i < g.nslots; i++) {
        struct thr *w = g.slots[i];
        if (w && w->state == TS_BLOCKED && w->wkind == WK_JOIN && w->wthr == t)
            sched_wake(w, WR_RELEASE, t->lid);
    }
    if (t->detached && t->nheld == 0) thr_release(t);
    shim_set_self(NULL);
    t->in_shim = 0;
    sched_after_exit();
    sys_unlock();
}

static void thread_unwound(struct thr **guard)
{
    struct thr *t = *guard;
    if (t) thread_finish(t, t->retval);
}

/* Entry of every managed thread; arg is its record. */
static void *thread_trampoline(void *arg)
{
    struct thr *t = arg;
    shim_set_self(t);
    t->ktid = sys_gettid();
    t->retval = PTHREAD_CANCELED;
    struct thr *guard __attribute__((cleanup(thread_unwound))) = t;
    /* pct: a new thread runs nothing of the program before it is given the
     * token (its first lines often read shared data) */
    if (cfg.mode == MODE_PCT) {
        sched_enter(t, NULL);
        sched_exit(t);
    }
    void *ret;
    if (t->c11start)
        ret = (void *)(intptr_t)t->c11start(t->arg);
    else
        ret = t->start(t->arg);
    guard = NULL;
    thread_finish(t, ret);
    return ret;
}

/* Under ThreadSanitizer the runtime creates its own background thread
 * through the shim; program threads come through its pthread_create
 * interceptor. Returns 1 for a thread of the runtime. */
static int thread_is_runtime(void *ra)
{
    if (!shim_tsan || !real.dladdr1) return 0;
    Dl_info info;
    void *extra = NULL;
    sys_zero(&info, sizeof info);
    if (!real.dladdr1(ra, &info, &extra, RTLD_DL_SYMENT) || !info.dli_sname) return 1;
    return !sys_streq(info.dli_sname, "pthread_create") &&
           !sys_startswith(info.dli_sname, "__interceptor_pthread_create");
}

static int thread_injected(struct thr *t)
{
    g.ncreates++;
    if (!cfg.fail_create || g.ncreates != (unsigned long)cfg.fail_create) return 0;
    inject_write(t, "pthread_create", g.ncreates);
    ev_emit(t, EV_CREATE, NULL, ER_ERROR, -1, EAGAIN);
    return 1;
}

/* Creates a managed thread running fn (or the C11 start c11fn) with arg.
 * Returns 0 or an errno value like pthread_create. */
static int thread_create(struct thr *t, pthread_t *th, const pthread_attr_t *attr,
                         void *(*fn)(void *), int (*c11fn)(void *), void *arg, void *ra)
{
    sched_enter(t, ra);
    if (thread_injected(t)) {
        sched_exit(t);
        return EAGAIN;
    }
    struct thr *c = thr_alloc();
    if (!c) {
        sched_exit(t);
        return real.create(th, attr, fn, arg);
    }
    c->start = fn;
    c->c11start = c11fn;
    c->arg = arg;
    sched_place_new(c);
    thr_set(c, TS_NEW);
    int rc = real.create(th, attr, thread_trampoline, c);
    if (rc) {
        thr_release(c);
        ev_emit(t, EV_CREATE, NULL, ER_ERROR, -1, rc);
    } else {
        c->pt = *th;
        c->pt_known = 1;
        ev_emit(t, EV_CREATE, NULL, ER_OK, c->lid, -1);
    }
    sched_exit(t);
    return rc;
}

SHIM_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr,
                               void *(*fn)(void *), void *arg)
{
    real_init();
    struct thr *t = shim_self();
    if (!t || thread_is_runtime(SHIM_RA())) return real.create(th, attr, fn, arg);
    return thread_create(t, th, attr, fn, NULL, arg, SHIM_RA());
}

/* How a join waits: AM_LOCK (pthread_join), AM_TRY (pthread_tryjoin_np) or
 * AM_TIMED until abs on clock (pthread_timedjoin_np, pthread_clockjoin_np). */
struct join_how {
    int mode;
    const struct timespec *abs;
    clockid_t clock;
};

static int join_real(pthread_t pt, void **ret, const struct join_how *how)
{
    if (how->mode == AM_TRY) return real.tryjoin(pt, ret);
    if (how->mode == AM_TIMED)
        return real.clockjoin ? real.clockjoin(pt, ret, how->clock, how->abs)
                              : real.timedjoin(pt, ret, how->abs);
    return real.join(pt, ret);
}

static int join_expired(const struct join_how *how)
{
    return how->mode == AM_TIMED &&
           (long)sys_now_ns(how->clock) >= sys_ts_to_ns(how->abs);
}

/* t waits in the model until u exited; returns 0, EBUSY or ETIMEDOUT. */
static int join_wait(struct thr *t, struct thr *u, const struct join_how *how)
{
    while (u->state != TS_EXITED) {
        if (how->mode == AM_TRY || join_expired(how)) {
            ev_emit(t, EV_JOIN, NULL, how->mode == AM_TRY ? ER_BUSY : ER_TIMEOUT, u->lid,
                    -1);
            return how->mode == AM_TRY ? EBUSY : ETIMEDOUT;
        }
        wait_begin(t, WK_JOIN, NULL, how->mode == AM_TIMED ? how->abs : NULL, how->clock);
        t->wthr = u;
        ev_emit(t, EV_JOIN, NULL, ER_BLOCKED, u->lid, -1);
        if (how->mode == AM_LOCK) diag_check_cycle(t);
        int r = sched_block(t);
        wait_end(t);
        t->wthr = NULL;
        if (r == WR_TIMEOUT) {
            ev_emit(t, EV_JOIN, NULL, ER_TIMEOUT, u->lid, -1);
            return ETIMEDOUT;
        }
    }
    return 0;
}

/* Joins managed thread u: waits until it exited in the model, then for its
 * real end (short: it is past its last interposed call). */
static int thread_join_managed(struct thr *t, struct thr *u, pthread_t pt, void **ret,
                               const struct join_how *how)
{
    if (u == t) return EDEADLK;
    if (u->detached) return EINVAL;
    int rc = join_wait(t, u, how);
    if (rc) return rc;
    u->detached = 1;
    ev_emit(t, EV_JOIN, NULL, ER_OK, u->lid, -1);
    sys_unlock();
    rc = real.join(pt, ret);
    sched_lock();
    sched_rejoin(t);
    if (u->nheld == 0) thr_release(u);
    return rc;
}

static int thread_join(pthread_t pt, void **ret, const struct join_how *how, void *ra)
{
    struct thr *t = shim_self();
    if (!t) return join_real(pt, ret, how);
    sched_enter(t, ra);
    struct thr *u = thr_by_pt(pt);
    int rc;
    if (u) {
        rc = thread_join_managed(t, u, pt, ret, how);
    } else {
        sched_out(t);
        sys_unlock();
        rc = join_real(pt, ret, how);
        sched_lock();
        sched_rejoin(t);
    }
    sched_exit(t);
    return rc;
}

SHIM_EXPORT int pthread_join(pthread_t pt, void **ret)
{
    real_init();
    struct join_how how = {AM_LOCK, NULL, CLOCK_REALTIME};
    return thread_join(pt, ret, &how, SHIM_RA());
}

SHIM_EXPORT int pthread_tryjoin_np(pthread_t pt, void **ret)
{
    real_init();
    struct join_how how = {AM_TRY, NULL, CLOCK_REALTIME};
    return thread_join(pt, ret, &how, SHIM_RA());
}

SHIM_EXPORT int pthread_timedjoin_np(pthread_t pt, void **ret, const struct timespec *abs)
{
    real_init();
    struct join_how how = {abs ? AM_TIMED : AM_LOCK, abs, CLOCK_REALTIME};
    return thread_join(pt, ret, &how, SHIM_RA());
}

SHIM_EXPORT int pthread_clockjoin_np(pthread_t pt, void **ret, clockid_t clock,
                                     const struct timespec *abs)
{
    real_init();
    struct join_how how = {abs ? AM_TIMED : AM_LOCK, abs, clock};
    return thread_join(pt, ret, &how, SHIM_RA());
}

static int thread_detach(pthread_t pt, void *ra)
{
    struct thr *t = shim_self();
    if (!t) return real.detach(pt);
    sched_enter(t, ra);
    struct thr *u = thr_by_pt(pt);
    int rc = real.detach(pt);
    if (rc == 0 && u) {
        u->detached = 1;
        ev_emit(t, EV_DETACH, NULL, ER_OK, u->lid, -1);
        if (u->state == TS_EXITED && u->nheld == 0) thr_release(u);
    }
    sched_exit(t);
    return rc;
}

SHIM_EXPORT int pthread_detach(pthread_t pt)
{
    real_init();
    return thread_detach(pt, SHIM_RA());
}

/* A thread started by the trampoline is marked exited by its cleanup during
 * the unwinding; any other thread (the main thread) right here. */
static _Noreturn void exit_do(void *ret)
{
    real_init();
    struct thr *t = shim_self();
    if (t) {
        t->retval = ret;
        if (!t->start && !t->c11start) thread_finish(t, ret);
    }
    real.exit(ret);
}

SHIM_EXPORT void pthread_exit(void *ret)
{
    exit_do(ret);
}

/* ---- C11 threads ---------------------------------------------------------- */
SHIM_EXPORT int thrd_create(thrd_t *thr, thrd_start_t fn, void *arg)
{
    real_init();
    struct thr *t = shim_self();
    if (!t) return real.thrd_create(thr, fn, arg);
    int rc = thread_create(t, (pthread_t *)thr, NULL, NULL, fn, arg, SHIM_RA());
    return rc == 0 ? thrd_success : rc == ENOMEM ? thrd_nomem : thrd_error;
}

SHIM_EXPORT int thrd_join(thrd_t thr, int *res)
{
    real_init();
    void *ret = NULL;
    struct join_how how = {AM_LOCK, NULL, CLOCK_REALTIME};
    int rc = thread_join((pthread_t)thr, &ret, &how, SHIM_RA());
    if (rc == 0 && res) *res = (int)(intptr_t)ret;
    return rc == 0 ? thrd_success : thrd_error;
}

SHIM_EXPORT int thrd_detach(thrd_t thr)
{
    real_init();
    return thread_detach((pthread_t)thr, SHIM_RA()) == 0 ? thrd_success : thrd_error;
}

SHIM_EXPORT _Noreturn void thrd_exit(int res)
{
    exit_do((void *)(intptr_t)res);
}

/* ---- fork ---------------------------------------------------------------- */
/* Fork handlers, registered first, so they run last before and first after
 * the fork: the child must not inherit the global lock held by a thread
 * that does not exist there. */
void fork_prepare(void)
{
    sched_lock();
}

void fork_parent(void)
{
    sys_unlock();
}

void fork_child(void)
{
    sys_lock_reset();
    struct thr *self = shim_self_raw();
    if (!shim_active || !self || self->state == TS_EXITED) {
        shim_active = 0;
        return;
    }
    sched_reset_after_fork(self);
    obj_reset_after_fork(self);
    out_reset_after_fork();
    cfg_reset_after_fork();
    diag_reset_after_fork();
}

static pid_t fork_injected(struct thr *t)
{
    inject_write(t, "fork", g.nforks);
    ev_emit(t, EV_FORK, NULL, ER_ERROR, -1, EAGAIN);
    sched_exit(t);
    errno = EAGAIN;
    return -1;
}

SHIM_EXPORT pid_t fork(void)
{
    real_init();
    struct thr *t = shim_self();
    if (!t) return real.fork();
    sched_enter(t, SHIM_RA());
    g.nforks++;
    if (cfg.fail_fork && g.nforks == (unsigned long)cfg.fail_fork)
        return fork_injected(t);
    ev_emit(t, EV_FORK, NULL, ER_NONE, -1, (long)g.nforks);
    sys_unlock();
    pid_t pid = real.fork();
    int err = errno;
    sched_lock();
    if (pid == 0) {
        cfg_write_start(sched_proc_seed());
        ev_emit(t, EV_FORK, NULL, ER_OK, -1, 0);
    } else {
        sched_rejoin(t);
        ev_emit(t, EV_FORK, NULL, pid > 0 ? ER_OK : ER_ERROR, -1, pid > 0 ? pid : err);
    }
    sched_exit(t);
    errno = err;
    return pid;
}

/* ---- yields and sleeps ----------------------------------------------------- */
static int yield_do(void *ra)
{
    struct thr *t = shim_self();
    if (!t) return real.sched_yield();
    sched_enter_yield(t, ra);
    ev_emit(t, EV_YIELD, NULL, ER_OK, -1, -1);
    sched_exit(t);
    return cfg.mode == MODE_PCT ? 0 : real.sched_yield();
}

SHIM_EXPORT int sched_yield(void)
{
    real_init();
    return yield_do(SHIM_RA());
}

/* A sleep of ns nanoseconds. pct: a yield, then the thread is blocked until
 * its deadline passes or every other thread is blocked (virtual time).
 * Other modes: an interposed point; the caller sleeps for real. Returns 1
 * if the sleep is done. */
static int sleep_point(struct thr *t, long ns, void *ra)
{
    if (cfg.mode != MODE_PCT) {
        sched_enter(t, ra);
        ev_emit(t, EV_SLEEP, NULL, ER_OK, -1, ns / 1000);
        sched_exit(t);
        return 0;
    }
    sched_enter_yield(t, ra);
    ev_emit(t, EV_SLEEP, NULL, ER_OK, -1, ns / 1000);
    if (ns > 0) {
        long when = (long)sys_now_ns(CLOCK_MONOTONIC) + ns;
        struct timespec abs = {when / 1000000000L, when % 1000000000L};
        wait_begin(t, WK_SLEEP, NULL, &abs, CLOCK_MONOTONIC);
        sched_block(t);
        wait_end(t);
    }
    sched_exit(t);
    return 1;
}

SHIM_EXPORT int usleep(useconds_t us)
{
    real_init();
    struct thr *t = shim_self();
    if (t && sleep_point(t, (long)us * 1000L, SHIM_RA())) return 0;
    return real.usleep(us);
}

static int nanosleep_do(const struct timespec *req, struct timespec *rem, void *ra)
{
    struct thr *t = shim_self();
    if (t && req && req->tv_nsec >= 0 && req->tv_nsec < 1000000000L &&
        sleep_point(t, sys_ts_to_ns(req), ra)) {
        if (rem) rem->tv_sec = rem->tv_nsec = 0;
        return 0;
    }
    return real.nanosleep(req, rem);
}

SHIM_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
    real_init();
    return nanosleep_do(req, rem, SHIM_RA());
}

SHIM_EXPORT void thrd_yield(void)
{
    real_init();
    yield_do(SHIM_RA());
}

SHIM_EXPORT int thrd_sleep(const struct timespec *req, struct timespec *rem)
{
    real_init();
    return nanosleep_do(req, rem, SHIM_RA()) == 0 ? 0 : -1;
}

/* ---- failed assertions and aborts -------------------------------------------- */
/* Writes the event ring and an assert or abort line for t; expr is NULL for
 * abort(). Caller holds the global lock. */
static void abort_write(struct thr *t, const char *expr, const char *file, unsigned line,
                        const char *fn)
{
    char mem[16384];
    struct jb b;
    struct stack stk;
    stk_capture(&stk);
    out_dump_ring();
    jb_init(&b, mem, sizeof mem);
    jb_head(&b, expr ? "assert" : "abort");
    jb_puts(&b, ",\"tid\":");
    jb_tid(&b, t->lid);
    jb_puts(&b, ",\"step\":");
    jb_u64(&b, g.step);
    if (expr) {
        jb_puts(&b, ",\"expr\":");
        jb_str(&b, expr);
        jb_puts(&b, ",\"file\":");
        jb_str(&b, file);
        jb_puts(&b, ",\"line\":");
        jb_u64(&b, line);
        jb_puts(&b, ",\"function\":");
        jb_str(&b, fn);
    }
    jb_puts(&b, ",\"stack\":");
    jb_stack(&b, &stk);
    jb_putc(&b, '}');
    out_line(&b, 1);
}

static void abort_note(const char *expr, const char *file, unsigned line, const char *fn)
{
    struct thr *t = shim_self();
    if (!t) return;
    t->in_shim = 1;
    sched_lock();
    abort_write(t, expr, file, line, fn);
    sys_unlock();
}

/* assert() failed in the program: the events that led there and the
 * assertion are written before the real __assert_fail aborts. */
SHIM_EXPORT void __assert_fail(const char *expr, const char *file, unsigned line,
                               const char *fn)
{
    real_init();
    abort_note(expr, file, line, fn);
    real.assert_fail(expr, file, line, fn);
}

/* The program calls abort(): the same, with an abort line. */
SHIM_EXPORT void abort(void)
{
    real_init();
    abort_note(NULL, NULL, 0, NULL);
    real.abort();
}
