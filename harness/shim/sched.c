/* The scheduler: managed threads, their states, the pct run token, blocking
 * and waking, time slices and random perturbation.
 *
 * States: NEW (created, not yet at its first interposed call), RUN, READY
 * (enabled, waiting for the token; pct only), BLOCKED (waiting in the model
 * for another managed thread), OUT (running outside the scheduler: after a
 * time-slice expiry or inside a real blocking call), EXITED.
 *
 * In pct mode exactly one thread holds the run token (g.holder) and performs
 * interposed operations; at every interposed point the enabled thread with
 * the highest priority gets it (Burckhardt et al., ASPLOS 2010). In random
 * and observe mode threads run freely; the same model records who waits for
 * what. Unless noted, functions run under the global lock.
 */
#include "shim.h"

#include <errno.h>

struct sched g;
static __thread struct thr *tls_self __attribute__((tls_model("initial-exec")));
static _Atomic int alive;   /* live managed threads, read without the lock */
static struct thr *watcher; /* pct: the READY thread watching the slice */
/* Starvation guard: a thread that passes this many interposed points in a
 * row while others could run is spinning through locks (or retrying a
 * trylock): it drops to the lowest priority, as if it yielded. Counted in
 * points, not time, so the schedule still follows from the seed. */
#define PCT_STREAK 200
static struct thr *streak_thr;
static unsigned streak_len;

static uint64_t proc_seed;

static int sched_is_pct(void)
{
    return cfg.mode == MODE_PCT;
}

/* Returns the calling thread's record if the shim manages it and the call is
 * not re-entrant (a signal handler interrupting the shim); NULL means: just
 * forward to the real function. Lock-free. */
struct thr *shim_self(void)
{
    if (!shim_active) return NULL;
    struct thr *t = tls_self;
    if (!t || t->state == TS_EXITED || t->in_shim) return NULL;
    return t;
}

/* The calling thread's record, even inside the shim (for fork handlers). */
struct thr *shim_self_raw(void)
{
    return tls_self;
}

void shim_set_self(struct thr *t)
{
    tls_self = t;
}

/* ---- random numbers ----------------------------------------------------- */
uint64_t rng_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t rng_next(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return rng_mix(*s);
}

/* True with probability permille/1000: from the process stream in pct mode
 * (deterministic), from the thread's stream otherwise. */
int sched_coin(struct thr *t, int permille)
{
    uint64_t *s = sched_is_pct() || !t ? &g.rng : &t->rng;
    return (int)(rng_next(s) % 1000) < permille;
}

/* ---- thread records ----------------------------------------------------- */
static int thr_is_live(int s)
{
    return s != TS_FREE && s != TS_EXITED;
}

static int sched_enabled(void)
{
    return g.count[TS_NEW] + g.count[TS_RUN] + g.count[TS_READY];
}

/* Moves t to state s, keeping the per-state counters. */
void thr_set(struct thr *t, int s)
{
    if (t->state == TS_BLOCKED && t->timed) g.ntimed--;
    if (s == TS_BLOCKED && t->timed) g.ntimed++;
    if (thr_is_live(t->state) && !thr_is_live(s)) atomic_fetch_sub(&alive, 1);
    if (!thr_is_live(t->state) && thr_is_live(s)) atomic_fetch_add(&alive, 1);
    int was = t->state == TS_NEW || t->state == TS_RUN || t->state == TS_READY;
    int now = s == TS_NEW || s == TS_RUN || s == TS_READY;
    if (was != now) {
        atomic_fetch_add(&g.enabled, now ? 1 : -1);
        if (now)
            prio_insert(t);
        else
            prio_remove(t);
    }
    g.count[t->state]--;
    g.count[s]++;
    t->state = s;
}

/* Returns a cleared record in a free slot with the next logical id, state
 * FREE; NULL when MAX_THREADS threads are alive. The record stays owned by
 * the table. */
struct thr *thr_alloc(void)
{
    int i = 0;
    while (i < g.nslots && g.slots[i] && g.slots[i]->state != TS_FREE) i++;
    if (i == MAX_THREADS) return NULL;
    if (i == g.nslots) g.nslots++;
    struct thr *t = g.slots[i];
    if (!t) {
        t = sys_alloc(sizeof *t);
        t->ring = sys_alloc(sizeof(struct ev) * THR_RING);
        g.slots[i] = t;
        g.count[TS_FREE]++;
    }
    struct ev *ring = t->ring;
    sys_zero(t, sizeof *t);
    t->ring = ring;
    t->slot = i;
    t->state = TS_FREE;
    t->lid = g.next_lid++;
    t->woken_from = -1;
    return t;
}

void thr_release(struct thr *t)
{
    if (t->state != TS_FREE) thr_set(t, TS_FREE);
}

struct thr *thr_by_pt(pthread_t pt)
{
    for (int i = 0; i < g.nslots; i++) {
        struct thr *t = g.slots[i];
        if (t && t->state != TS_FREE && t->pt_known && t->pt == pt) return t;
    }
    return NULL;
}

/* Gives a new thread its pct priority (a random slot among the others) and
 * its own random stream. */
void sched_place_new(struct thr *t)
{
    t->prio = (1LL << 40) + (long long)(rng_next(&g.rng) % (1ULL << 40));
    t->rng = rng_mix(proc_seed ^ ((uint64_t)t->lid * 0x2545f4914f6cdd1dULL));
}

void sched_demote(struct thr *t)
{
    prio_set(t, --g.floor);
}

/* Seeds this process's random stream and draws the pct change points:
 * depth-1 distinct steps, uniform in [1, steps]. */
void sched_seed_pct(uint64_t seed)
{
    proc_seed = seed;
    g.rng = rng_mix(seed);
    g.ncps = 0;
    g.next_cp = 0;
    int want = cfg.depth - 1;
    for (int tries = 0; g.ncps < want && tries < 1000; tries++) {
        unsigned long c = 1 + rng_next(&g.rng) % (unsigned long)cfg.steps;
        int dup = 0;
        for (int i = 0; i < g.ncps; i++) dup |= g.cps[i] == c;
        if (!dup) g.cps[g.ncps++] = c;
    }
    for (int i = 1; i < g.ncps; i++)
        for (int j = i; j > 0 && g.cps[j - 1] > g.cps[j]; j--) {
            unsigned long x = g.cps[j];
            g.cps[j] = g.cps[j - 1];
            g.cps[j - 1] = x;
        }
}

/* Registers the calling (main) thread as T0 at activation. */
void sched_init_main(void)
{
    sys_lock();
    obj_init();
    g.start_ns = sys_now_ns(CLOCK_MONOTONIC);
    sched_seed_pct(cfg.seed);
    struct thr *t = thr_alloc();
    sched_place_new(t);
    t->pt = real.self();
    t->pt_known = 1;
    t->ktid = sys_gettid();
    thr_set(t, TS_RUN);
    tls_self = t;
    if (sched_is_pct()) g.holder = t;
    sys_unlock();
}

/* ---- events ------------------------------------------------------------- */
/* Builds an event in place (its seq is set by out_event_slot). */
static void ev_fill(struct ev *e, struct thr *t, int op, struct obj *o, int res)
{
    e->step = atomic_load_explicit(&g.step, memory_order_relaxed);
    e->tid = t ? t->lid : -1;
    e->op = op;
    e->res = res;
    e->okind = o ? o->kind : -1;
    e->ono = o ? o->no : 0;
    e->addr = o ? o->addr : 0;
    e->o2kind = -1;
    e->o2no = 0;
    e->peer = -1;
    e->value = -1;
    e->nondet = 0;
    if (t)
        sys_copy(&e->site, &t->site, shim_tsan ? sizeof e->site : sizeof e->site.pc[0]);
    if (!shim_tsan) e->site.pc[1] = NULL;
    if (!t) e->site.pc[0] = NULL;
}

void ev_emit(struct thr *t, int op, struct obj *o, int res, long peer, long value)
{
    struct ev scratch;
    struct ev *e = out_event_slot(t, &scratch);
    ev_fill(e, t, op, o, res);
    e->peer = peer;
    e->value = value;
    out_event_done(e);
}

void ev_emit_cond(struct thr *t, int op, struct obj *c, struct obj *m, int res, long peer,
                  long value)
{
    struct ev scratch;
    struct ev *e = out_event_slot(t, &scratch);
    ev_fill(e, t, op, c, res);
    if (m) {
        e->o2kind = m->kind;
        e->o2no = m->no;
    }
    e->peer = peer;
    e->value = value;
    out_event_done(e);
}

/* An event caused by real time rather than by the program: a slice expiry
 * or a real timeout. It has no site. */
void ev_emit_nondet(struct thr *t, int op, int res, long peer)
{
    struct ev scratch;
    struct ev *e = out_event_slot(t, &scratch);
    ev_fill(e, t, op, NULL, res);
    e->site.pc[0] = NULL;
    if (t && t->wobj && op == EV_WAKE) {
        e->okind = t->wobj->kind;
        e->ono = t->wobj->no;
        e->addr = t->wobj->addr;
    }
    e->peer = peer;
    e->nondet = 1;
    out_event_done(e);
}

/* ---- the pct token ------------------------------------------------------ */
static void thr_bump(struct thr *t)
{
    atomic_fetch_add(&t->park, 1);
    sys_futex_wake(&t->park, 1);
}

static struct thr *pct_best(void)
{
    return prio_top();
}

static void pct_grant(struct thr *b)
{
    streak_thr = NULL;
    g.holder = b;
    if (b->state != TS_RUN) thr_set(b, TS_RUN);
    g.holder_since = sys_now_ns(CLOCK_MONOTONIC);
    thr_bump(b);
}

/* Hands the token to the enabled thread with the highest priority, or to
 * nobody if no thread is enabled. */
static void pct_schedule(void)
{
    struct thr *b = pct_best();
    if (b)
        pct_grant(b);
    else
        g.holder = NULL;
}

static long wait_left(struct thr *t)
{
    long left = t->deadline_ns - (long)sys_now_ns(t->wclock);
    return left > 0 ? left : 0;
}

/* t was just enabled. Free modes: wake it. pct: it only needs to wake to
 * watch the holder's slice if nobody does; it runs once granted the token. */
static void sched_nudge(struct thr *t)
{
    if (!sched_is_pct() || !watcher) thr_bump(t);
    if (sched_is_pct() && !g.holder) pct_schedule();
}

/* Wakes a blocked thread whose deadline passed (reason timeout). */
static void sched_timeout(struct thr *t, int nondet)
{
    obj_dequeue(t->wobj, t);
    t->wake = WR_TIMEOUT;
    thr_set(t, sched_is_pct() ? TS_READY : TS_RUN);
    if (nondet) ev_emit_nondet(t, EV_WAKE, ER_TIMEOUT, -1);
    sched_nudge(t);
}

/* What the watcher saw of the holder when its slice first ran out. */
static struct {
    struct thr *holder;
    uint64_t since, wall, cpu;
    int sleeps;
} seen;

/* Whether the holder really used its slice: since it ran out, it burned at
 * least half a slice of CPU (it spins or computes: on a loaded machine that
 * takes longer), or it slept in the kernel both times we looked (it blocks
 * in a call the shim does not see). A holder that only waits for a
 * processor (a loaded machine) keeps the token, so the schedule stays the
 * one the seed chose; after 250 slices it loses it anyway. */
static int pct_slice_used(struct thr *h, uint64_t now)
{
    uint64_t slice = (uint64_t)cfg.slice_ms * 1000000ULL;
    /* a thread that has not run yet (no kernel id) only waits for a processor */
    if (!h->ktid) return now - g.holder_since >= 250 * slice;
    if (seen.holder != h || seen.since != g.holder_since) {
        seen.holder = h;
        seen.since = g.holder_since;
        seen.wall = now;
        seen.cpu = sys_thread_cpu_ns(h->ktid);
        seen.sleeps = sys_thread_sleeps(h->ktid);
        return 0;
    }
    if (now - seen.wall < slice) return 0;
    if (now - g.holder_since >= 250 * slice) return 1;
    uint64_t cpu = sys_thread_cpu_ns(h->ktid);
    int sleeps = sys_thread_sleeps(h->ktid);
    if (cpu - seen.cpu >= slice / 2 || (sleeps && seen.sleeps)) return 1;
    seen.wall = now;
    seen.sleeps = sleeps;
    return 0;
}

/* A READY thread waited a whole slice: if the holder made no interposed
 * call for that long and really used the time (it spins, or blocks in a call
 * the shim does not see), it loses the token, drops to the lowest priority
 * and runs on outside. */
static void pct_slice(struct thr *t)
{
    struct thr *h = g.holder;
    if (!h) {
        pct_schedule();
        return;
    }
    uint64_t now = sys_now_ns(CLOCK_MONOTONIC);
    if (h == t || now - g.holder_since < (uint64_t)cfg.slice_ms * 1000000ULL) return;
    if (!pct_slice_used(h, now)) return;
    thr_set(h, TS_OUT);
    sched_demote(h);
    g.holder = NULL;
    pct_schedule();
    ev_emit_nondet(h, EV_SLICE, ER_NONE, g.holder ? g.holder->lid : -1);
}

static void pct_on_timeout(struct thr *t)
{
    if (t->state == TS_BLOCKED) {
        if (t->timed && wait_left(t) == 0) sched_timeout(t, 1);
        return;
    }
    if (t->state == TS_READY) pct_slice(t);
}

static void sched_check_dying(void)
{
    if (g.dying) {
        sys_unlock();
        sys_park_forever();
    }
}

/* One READY thread (the watcher) waits with the slice as timeout and checks
 * the holder's slice; the others sleep until they are granted the token.
 * When the watcher leaves, another READY thread is woken to take over. */

static void pct_resign(struct thr *t)
{
    if (watcher != t) return;
    watcher = NULL;
    for (int i = 0; i < g.nslots; i++) {
        struct thr *u = g.slots[i];
        if (u && u != t && u->state == TS_READY) {
            thr_bump(u);
            return;
        }
    }
}

static long pct_timeout(struct thr *t)
{
    if (t->state == TS_READY && (!watcher || watcher == t)) {
        watcher = t;
        return cfg.slice_ms * 1000000L;
    }
    if (t->state == TS_BLOCKED && t->timed) return wait_left(t);
    return -1;
}

/* Waits until t holds the token. Releases the lock while waiting. A thread
 * granted the token that lost it to a slice expiry before it could resume
 * (its processor was busy) is still waiting at its point: it becomes READY
 * again. */
static void pct_wait(struct thr *t)
{
    while (g.holder != t) {
        if (t->state == TS_OUT) {
            thr_set(t, TS_READY);
            if (!g.holder) pct_schedule();
            continue;
        }
        unsigned gen = atomic_load(&t->park);
        long to = pct_timeout(t);
        sys_unlock();
        int r = sys_futex_wait(&t->park, gen, to);
        sys_lock();
        sched_check_dying();
        if (r == -ETIMEDOUT || to == 0) pct_on_timeout(t);
    }
    pct_resign(t);
}

/* Makes t (not the holder) wait for the token. */
static void pct_arrive(struct thr *t)
{
    if (g.holder == t) return;
    if (t->state != TS_READY) thr_set(t, TS_READY);
    if (!g.holder) pct_schedule();
    pct_wait(t);
}

static void pct_change_point(struct thr *t)
{
    if (g.next_cp >= g.ncps || g.step != g.cps[g.next_cp]) return;
    g.next_cp++;
    prio_set(t, g.next_cp);
    ev_emit(t, EV_PREEMPT, NULL, ER_CHANGE_POINT, -1, g.next_cp);
}

/* The pct decision at an interposed point of t: t gets the token, the step
 * is counted if another thread could run, and the token moves on if a
 * thread of higher priority is enabled. */

static int pct_streak(struct thr *t)
{
    if (streak_thr != t) {
        streak_thr = t;
        streak_len = 0;
    }
    if (++streak_len < PCT_STREAK) return 0;
    streak_len = 0;
    return 1;
}

/* A trylock that found the object busy will be retried: in pct mode the
 * caller yields two points later, after it released what it holds (backing
 * off unlocks first), so the owner can take it. Yielding at once would stop
 * it before that unlock and two backing-off threads could alternate forever. */
void sched_busy(struct thr *t)
{
    if (sched_is_pct()) t->backoff = 2;
}

static void pct_point(struct thr *t, int yield)
{
    pct_arrive(t);
    g.holder_since = sys_now_ns(CLOCK_MONOTONIC);
    if (sched_enabled() > 1) {
        g.step++;
        pct_change_point(t);
        if (pct_streak(t)) yield = 1;
    }
    if (t->backoff && --t->backoff == 0) yield = 1;
    if (yield) sched_demote(t);
    struct thr *b = pct_best();
    if (b == t) return;
    ev_emit(t, EV_PREEMPT, NULL, yield ? ER_YIELD : ER_PRIORITY, b->lid, -1);
    thr_set(t, TS_READY);
    pct_grant(b);
    pct_wait(t);
    g.holder_since = sys_now_ns(CLOCK_MONOTONIC);
}

/* Lets a thread of higher priority run first after t was demoted (pct);
 * nothing in the other modes. */
void sched_resched(struct thr *t, int res)
{
    if (!sched_is_pct() || g.holder != t) return;
    sched_demote(t);
    struct thr *b = pct_best();
    if (!b || b == t) return;
    ev_emit(t, EV_PREEMPT, NULL, res, b->lid, -1);
    thr_set(t, TS_READY);
    pct_grant(b);
    pct_wait(t);
    g.holder_since = sys_now_ns(CLOCK_MONOTONIC);
}

/* pct: t, holding a lock, is about to take another one (the point where
 * lock-order deadlocks close). With probability 1/8 it drops to the lowest
 * priority first, which lets the others reach their own nested points. */
void sched_nested_point(struct thr *t)
{
    if (sched_is_pct() && t->nheld > 0 && sched_enabled() > 1 && sched_coin(t, 125))
        sched_resched(t, ER_NESTED);
}

/* ---- random perturbation (no lock held) --------------------------------- */
/* Perturbations may take a third of the elapsed time (plus 2 ms at the
 * start): the program then runs at most about 1.5 times as long as it
 * would with the bookkeeping alone. */
static int sched_budget_ok(void)
{
    uint64_t elapsed = sys_now_ns(CLOCK_MONOTONIC) - g.start_ns;
    return atomic_load(&g.perturb_ns) < elapsed / 3 + 2000000ULL;
}

/* Lets another thread go first: waits until some other thread passed an
 * interposed point, at most about 200 microseconds. */
static unsigned long sched_others_points(struct thr *self)
{
    unsigned long n = 0;
    for (int i = 0; i < g.nslots; i++) {
        struct thr *t = g.slots[i];
        if (t && t != self)
            n += atomic_load_explicit((_Atomic unsigned long *)&t->npoints,
                                      memory_order_relaxed);
    }
    return n;
}

static void sched_handoff(struct thr *self)
{
    unsigned long seen = sched_others_points(self);
    for (int i = 0; i < 50 && sched_others_points(self) == seen; i++) {
        sys_yield();
        if (i > 4) sys_sleep_ns(4000);
    }
}

/* With probability STRESS_PROB percent: a yield, a delay of up to 100
 * microseconds or a handoff, within the time budget above. */
static void sched_perturb(struct thr *t)
{
    if (atomic_load(&alive) <= 1 || (int)(rng_next(&t->rng) % 100) >= cfg.prob) return;
    if (!sched_budget_ok()) return;
    uint64_t t0 = sys_now_ns(CLOCK_MONOTONIC);
    uint64_t r = rng_next(&t->rng);
    if (r % 3 == 0)
        sys_yield();
    else if (r % 3 == 1)
        sys_sleep_ns(1000 * (long)(1 + (r >> 8) % 100));
    else
        sched_handoff(t);
    atomic_fetch_add(&g.perturb_ns, sys_now_ns(CLOCK_MONOTONIC) - t0);
}

/* ---- interposed points -------------------------------------------------- */
static void sched_point(struct thr *t, void *ra, int yield)
{
    t->in_shim = 1;
    stk_site(&t->site, ra);
    t->npoints++;
    if (cfg.mode == MODE_RANDOM) sched_perturb(t);
    sys_lock();
    sched_check_dying();
    sem_catch_up();
    g.points++;
    t->nflushed++;
    if (sched_is_pct()) {
        pct_point(t, yield);
        return;
    }
    if (t->state != TS_RUN) thr_set(t, TS_RUN);
    if (sched_enabled() > 1) g.step++;
}

/* Takes the global lock; a thread that finds the process dying parks. */
void sched_lock(void)
{
    sys_lock();
    sched_check_dying();
}

/* Begins an interposed operation of t on the fast path (random and observe
 * mode, no trace, t running): the point is counted and perturbed without the
 * global lock. Returns 0, having done nothing, if the fast path does not
 * apply; then sched_enter must be used. */
int sched_fast_enter(struct thr *t, void *ra)
{
    if (cfg.mode == MODE_PCT || cfg.trace || shim_tsan || t->state != TS_RUN || g.dying)
        return 0;
    t->in_shim = 1;
    t->site.pc[0] = ra;
    t->npoints++;
    if (cfg.mode == MODE_RANDOM) sched_perturb(t);
    if (atomic_load_explicit(&g.enabled, memory_order_relaxed) > 1) t->nsteps++;
    if (t->npoints - t->nflushed >= 64) sched_flush_counts(t);
    return 1;
}

/* Adds t's fast-path counts to the process's step and point counters. */
void sched_flush_counts(struct thr *t)
{
    unsigned long n = t->npoints - t->nflushed;
    atomic_fetch_add_explicit(&g.points, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&g.step, t->nsteps, memory_order_relaxed);
    t->nflushed = t->npoints;
    t->nsteps = 0;
}

/* The steps of the process including counts not yet flushed. Caller holds
 * the global lock. */
unsigned long sched_total_steps(void)
{
    for (int i = 0; i < g.nslots; i++)
        if (g.slots[i] && g.slots[i]->state != TS_FREE) sched_flush_counts(g.slots[i]);
    return g.step;
}

void sched_fast_exit(struct thr *t)
{
    t->in_shim = 0;
}

/* The fast path cannot finish the operation: continue as after sched_enter
 * (the point is already counted). */
void sched_fast_to_slow(struct thr *t)
{
    (void)t;
    sched_lock();
    sem_catch_up();
}

/* Begins an interposed operation of t called from ra. Returns with the
 * global lock held and, in pct mode, with t holding the token. */
void sched_enter(struct thr *t, void *ra)
{
    sched_point(t, ra, 0);
}

/* Like sched_enter for a yield: in pct mode t drops to the lowest priority. */
void sched_enter_yield(struct thr *t, void *ra)
{
    sched_point(t, ra, 1);
}

/* Ends the operation begun with sched_enter: releases the global lock. */
void sched_exit(struct thr *t)
{
    sys_unlock();
    t->in_shim = 0;
}

/* ---- stalls ------------------------------------------------------------- */
/* pct: when every thread is blocked and some waits with a deadline, time
 * jumps to the nearest deadline and that wait times out. */
static void sched_virtual_timeout(void)
{
    struct thr *best = NULL;
    long best_left = 0;
    for (int i = 0; i < g.nslots; i++) {
        struct thr *t = g.slots[i];
        if (!t || t->state != TS_BLOCKED || !t->timed) continue;
        long left = wait_left(t);
        if (!best || left < best_left || (left == best_left && t->lid < best->lid)) {
            best = t;
            best_left = left;
        }
    }
    if (!best) return;
    diag_timewarp(best);
    ev_emit(best, EV_WAKE, best->wobj, ER_VIRTUAL, -1, -1);
    sched_timeout(best, 0);
}

/* Called whenever a thread blocks or exits: if every live managed thread is
 * blocked in the model, none can wake another. With a deadline pending, pct
 * lets virtual time pass and the other modes let real time pass; otherwise
 * the stall is reported and the process ends. */
void sched_check_stall(void)
{
    sem_catch_up();
    int live = g.count[TS_NEW] + g.count[TS_RUN] + g.count[TS_READY] +
               g.count[TS_BLOCKED] + g.count[TS_OUT];
    if (!g.count[TS_BLOCKED] || g.count[TS_BLOCKED] != live) return;
    if (g.ntimed > 0) {
        if (sched_is_pct()) sched_virtual_timeout();
        return;
    }
    diag_stall();
}

/* ---- blocking ----------------------------------------------------------- */
/* Records what t is about to wait for: object o (queued as a waiter unless
 * the wait is a join or a sleep), an optional absolute deadline on clock,
 * and the waiting stack. */
void wait_begin(struct thr *t, int kind, struct obj *o, const struct timespec *abs,
                int clock)
{
    t->wkind = kind;
    t->wmutex = NULL;
    t->wthr = NULL;
    t->timed = abs != NULL;
    t->wclock = clock;
    t->deadline_ns = abs ? sys_ts_to_ns(abs) : 0;
    t->wait_seq = ++g.order;
    stk_capture(&t->wstk);
    t->wobj = o;
    if (o && kind != WK_JOIN && kind != WK_SLEEP) obj_enqueue(o, t);
}

void wait_end(struct thr *t)
{
    obj_dequeue(t->wobj, t);
    t->wkind = WK_NONE;
    t->timed = 0;
}

static void free_wait(struct thr *t)
{
    while (t->state == TS_BLOCKED) {
        unsigned gen = atomic_load(&t->park);
        long to = t->timed ? wait_left(t) : -1;
        if (to == 0) {
            sched_timeout(t, 0);
            break;
        }
        sys_unlock();
        sys_futex_wait(&t->park, gen, to);
        sys_lock();
        sched_check_dying();
        if (t->state == TS_BLOCKED && t->timed && wait_left(t) == 0) sched_timeout(t, 0);
    }
}

/* Blocks t on the wait recorded by wait_begin until sched_wake, a timeout or
 * (pct) virtual time ends it. Declares a stall if no managed thread can
 * run any more. Returns the wake reason; in pct mode t holds the token
 * again on return. */
int sched_block(struct thr *t)
{
    t->wake = WR_NONE;
    thr_set(t, TS_BLOCKED);
    if (sched_is_pct() && g.holder == t) {
        g.holder = NULL;
        pct_schedule();
    }
    if (t->timed && wait_left(t) == 0) sched_timeout(t, 0);
    sched_check_stall();
    if (sched_is_pct())
        pct_wait(t);
    else
        free_wait(t);
    return t->wake;
}

/* The waiter of o a release should wake: the highest-priority one in pct
 * mode, the longest waiting one otherwise; NULL if none. */
struct thr *sched_pick_waiter(struct obj *o)
{
    struct thr *best = o->whead;
    if (!sched_is_pct()) return best;
    for (struct thr *w = o->whead; w; w = w->wnext)
        if (w->prio > best->prio || (w->prio == best->prio && w->lid < best->lid))
            best = w;
    return best;
}

/* Ends the wait of w (if it still waits) with reason, caused by thread by. */
void sched_wake(struct thr *w, int reason, long by)
{
    obj_dequeue(w->wobj, w);
    if (w->state != TS_BLOCKED) return;
    w->wake = reason;
    w->woken_by = by;
    thr_set(w, sched_is_pct() ? TS_READY : TS_RUN);
    sched_nudge(w);
}

/* t is about to block in a real call the model cannot follow: it leaves the
 * scheduler (state OUT) and, in pct mode, gives the token away. */
void sched_out(struct thr *t)
{
    thr_set(t, TS_OUT);
    if (sched_is_pct() && g.holder == t) {
        g.holder = NULL;
        pct_schedule();
    }
}

/* t returns from such a call: it waits for the token again (pct). */
void sched_rejoin(struct thr *t)
{
    if (sched_is_pct())
        pct_arrive(t);
    else if (t->state != TS_RUN)
        thr_set(t, TS_RUN);
}

/* After t became EXITED: the token moves on and a stall is checked. */
void sched_after_exit(void)
{
    if (sched_is_pct() && (!g.holder || g.holder->state != TS_RUN)) {
        g.holder = NULL;
        pct_schedule();
    }
    sched_check_stall();
}

/* In a fork child: self is the only thread, renamed T0, with a random
 * stream derived from the parent's seed and the fork's index. */
void sched_reset_after_fork(struct thr *self)
{
    for (int i = 0; i < g.nslots; i++)
        if (g.slots[i] && g.slots[i] != self) g.slots[i]->state = TS_FREE;
    for (int s = 0; s < TS_NSTATES; s++) g.count[s] = 0;
    g.count[TS_FREE] = g.nslots - 1;
    g.count[TS_RUN] = 1;
    atomic_store(&alive, 1);
    atomic_store(&g.enabled, 1);
    self->state = TS_RUN;
    self->lid = 0;
    self->ring_n = self->ring_dumped = 0;
    self->npoints = self->nsteps = self->nflushed = 0;
    self->ktid = sys_gettid();
    self->pt = real.self();
    self->in_shim = 0;
    g.next_lid = 1;
    g.ntimed = 0;
    g.seq = g.step = g.points = 0;
    g.fork_index = (long)g.nforks;
    uint64_t seed = rng_mix(proc_seed ^ (g.nforks * 0x9e3779b97f4a7c15ULL));
    g.nforks = g.ncreates = 0;
    g.floor = 0;
    g.pid = sys_getpid();
    g.start_ns = sys_now_ns(CLOCK_MONOTONIC);
    atomic_store(&g.perturb_ns, 0);
    sched_seed_pct(seed);
    prio_clear();
    sched_place_new(self);
    prio_insert(self);
    g.holder = sched_is_pct() ? self : NULL;
    watcher = NULL;
}

uint64_t sched_proc_seed(void)
{
    return proc_seed;
}
