/* trace_marks.c - the events that explain why a schedule failed.
 *
 * Reads a stress schedule the way a person would, to point at the few events
 * that tell the story (see trace.h for the kinds):
 *   - atomicity: a thread lets go of a lock and takes it again while another
 *     thread took it in between, and the thread lost its turn in that gap
 *     (only when the check found a broken invariant, a lost update, a wrong
 *     result or a failed assertion);
 *   - deadlock: threads blocked for good, each waiting for the next one of a
 *     cycle, and where each took the lock the previous one waits for;
 *   - lost wake-up: a thread waiting on a condition variable for good, and
 *     the signal nobody received or the wake-up a thread swallowed;
 *   - threads blocked at the end: for ever only when every thread still
 *     alive is blocked (nothing can wake them), else "waiting when the run
 *     stopped";
 *   - a spurious wake-up after which the thread goes on without checking
 *     its condition again, and what it then does;
 *   - events at the file:line of a finding.
 * Everything is decided from the events and findings alone; threads are
 * named by process and thread, as in the events. */
#include "trace.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WINDOWS 2 /* atomicity windows marked */

typedef struct scan {
    const trace *t;
    const findings *fs; /* the findings that count (see scan_findings) */
    findings own;       /* storage when fs is a filtered copy */
    trace_mark *m;
    long *prev, *next; /* the same thread's previous / next event, or -1 */
} scan;

typedef struct window {
    long unlock, cut, relock; /* event indexes */
    int score;
} window;

static const trace_event *ev(const scan *s, long i)
{
    return &s->t->events.items[i];
}

static bool op_is(const trace_event *e, const char *op)
{
    return !strcmp(e->op, op);
}

static bool res_is(const trace_event *e, const char *result)
{
    return !strcmp(e->result, result);
}

static bool same_thread(const trace_event *a, const trace_event *b)
{
    return a->pid == b->pid && !strcmp(a->tid, b->tid);
}

static bool is_lock_op(const trace_event *e)
{
    return op_is(e, "lock") || op_is(e, "trylock") || op_is(e, "rdlock") ||
           op_is(e, "wrlock");
}

static bool is_acquire(const trace_event *e)
{
    return is_lock_op(e) && (res_is(e, "acquired") || res_is(e, "recursive"));
}

static bool is_signal(const trace_event *e)
{
    return op_is(e, "signal") || op_is(e, "broadcast");
}

/* A point where the thread gives up its turn without synchronizing. */
static bool is_turn(const trace_event *e)
{
    return op_is(e, "preempt") || op_is(e, "slice") || op_is(e, "yield") ||
           op_is(e, "sleep");
}

bool trace_event_blocks(const trace_event *e)
{
    if (is_lock_op(e) || op_is(e, "join") || op_is(e, "sem_wait"))
        return res_is(e, "blocked");
    if (op_is(e, "wait") || op_is(e, "barrier")) return res_is(e, "waiting");
    return false;
}

const char *trace_mark_name(trace_mark_kind k)
{
    static const char *const names[] = {"none",      "at-finding", "waiting", "window",
                                        "intruder",  "holds",      "stuck",   "preempt",
                                        "swallowed", "spurious",   "lost",    "cycle"};
    return (size_t)k < ARRAY_LEN(names) ? names[k] : "none";
}

/* Sets event i's mark unless it already has a more important one. */
__attribute__((format(printf, 4, 5))) static void
mark(scan *s, long i, trace_mark_kind kind, const char *fmt, ...)
{
    if (i < 0 || s->m[i].kind >= kind) return;
    s->m[i].kind = kind;
    free(s->m[i].note);
    va_list ap;
    va_start(ap, fmt);
    s->m[i].note = xvasprintf(fmt, ap);
    va_end(ap);
}

/* " (bank.c:66)" or "" (the buffer must hold 64 bytes). */
static const char *at(const trace_event *e, char *buf)
{
    if (e->file && e->line > 0)
        snprintf(buf, 64, " (%.40s:%d)", e->file, e->line);
    else
        buf[0] = 0;
    return buf;
}

/* Fills prev/next: the events of each thread chained in order. */
static void scan_link(scan *s)
{
    size_t n = s->t->events.len, nlast = 0;
    long *last = NULL;
    s->prev = xmalloc(sizeof *s->prev * n);
    s->next = xmalloc(sizeof *s->next * n);
    for (size_t i = 0; i < n; i++) {
        s->prev[i] = s->next[i] = -1;
        size_t k = 0;
        while (k < nlast && !same_thread(ev(s, last[k]), ev(s, (long)i))) k++;
        if (k == nlast)
            last = xrealloc(last, sizeof *last * ++nlast);
        else
            s->prev[i] = last[k], s->next[last[k]] = (long)i;
        last[k] = (long)i;
    }
    free(last);
}

/* The findings that explain this schedule: those of stress runs (they carry
 * the run's seed) when there are any, else all of them. */
static void scan_findings(scan *s, const findings *fs)
{
    s->fs = fs;
    if (!fs) return;
    for (size_t i = 0; i < fs->len; i++)
        if (fs->items[i].has_seed) {
            for (size_t k = 0; k < fs->len; k++)
                if (fs->items[k].has_seed)
                    *VEC_PUSH(&s->own) = fs->items[k]; /* shallow: not freed */
            s->fs = &s->own;
            return;
        }
}

/* Whether a finding that counts has this kind. */
static bool found_kind(const scan *s, const char *kind)
{
    return s->fs && findings_has_kind(s->fs, kind);
}

/* --- atomicity --------------------------------------------------------------------- */

/* For an acquisition j: the same thread's unlock of that lock just before
 * it (only turns and failed tries of the same lock in between), or -1. */
static long window_start(const scan *s, long j)
{
    const trace_event *re = ev(s, j);
    for (long p = s->prev[j]; p >= 0; p = s->prev[p]) {
        const trace_event *e = ev(s, p);
        if (is_turn(e)) continue;
        if (is_lock_op(e) && !strcmp(e->obj, re->obj) && !is_acquire(e)) continue;
        return op_is(e, "unlock") && !strcmp(e->obj, re->obj) ? p : -1;
    }
    return -1;
}

/* Acquisitions of j's lock by other threads strictly between p and j. */
static size_t intruders(const scan *s, long p, long j, long *out, size_t cap)
{
    const trace_event *re = ev(s, j);
    size_t n = 0;
    for (long k = p + 1; k < j; k++) {
        const trace_event *e = ev(s, k);
        if (e->pid == re->pid && !same_thread(e, re) && is_acquire(e) &&
            !strcmp(e->obj, re->obj)) {
            if (n < cap) out[n] = k;
            n++;
        }
    }
    return n;
}

/* How well a window fits the findings: its re-acquisition in the function
 * or file of a finding. */
static int window_score(const scan *s, long p, long j)
{
    int score = 0;
    const trace_event *a = ev(s, p), *b = ev(s, j);
    for (size_t i = 0; s->fs && i < s->fs->len; i++) {
        const finding *f = &s->fs->items[i];
        if (f->function && b->function && !strcmp(f->function, b->function)) score |= 2;
        if (f->file && ((a->file && !strcmp(f->file, a->file)) ||
                        (b->file && !strcmp(f->file, b->file))))
            score |= 1;
    }
    return score;
}

/* Where the thread lost its turn between p and j: its first turn event,
 * else its failed try of the lock, else the unlock itself. */
static long window_cut(const scan *s, long p, long j)
{
    long blocked = -1;
    for (long k = s->next[p]; k >= 0 && k < j; k = s->next[k]) {
        if (is_turn(ev(s, k))) return k;
        if (blocked < 0) blocked = k;
    }
    return blocked >= 0 ? blocked : p;
}

/* Best first: higher score, then later re-acquisition. */
static int window_cmp(const void *x, const void *y)
{
    const window *a = x, *b = y;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return a->relock > b->relock ? -1 : a->relock < b->relock;
}

/* Every window of the trace, best first (caller frees). */
static size_t windows_find(const scan *s, window **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    for (long j = 0; j < (long)s->t->events.len; j++) {
        long p, one;
        if (!is_acquire(ev(s, j)) || (p = window_start(s, j)) < 0 ||
            !intruders(s, p, j, &one, 1))
            continue;
        if (n == cap) *out = xrealloc(*out, sizeof **out * (cap = cap ? cap * 2 : 8));
        (*out)[n++] = (window){p, window_cut(s, p, j), j, window_score(s, p, j)};
    }
    if (n) qsort(*out, n, sizeof **out, window_cmp);
    return n;
}

/* Marks one window: the unlock, the turn lost, the other thread's
 * acquisitions, the re-acquisition. */
static void window_mark(scan *s, const window *w)
{
    const trace_event *x = ev(s, w->relock), *u = ev(s, w->unlock);
    long in[4];
    size_t nin = intruders(s, w->unlock, w->relock, in, ARRAY_LEN(in));
    const trace_event *y = ev(s, in[0]);
    char a[64], b[64];
    mark(s, w->cut, TRACE_MARK_PREEMPT,
         _("%s loses its turn between unlock %s%s and lock %s%s; %s takes %s meanwhile"),
         x->tid, u->obj, at(u, a), x->obj, at(x, b), y->tid, x->obj);
    if (w->cut != w->unlock)
        mark(s, w->unlock, TRACE_MARK_WINDOW, _("%s lets go of %s"), x->tid, x->obj);
    for (size_t i = 0; i < nin && i < ARRAY_LEN(in); i++)
        mark(s, in[i], TRACE_MARK_INTRUDER,
             _("%s takes %s while %s is in the gap (steps %ld-%ld)"), ev(s, in[i])->tid,
             x->obj, x->tid, u->step, x->step);
    mark(s, w->relock, TRACE_MARK_WINDOW,
         _("%s takes %s again, acting on what it saw before the gap"), x->tid, x->obj);
}

/* When a finding says a result or invariant broke: the best windows (at most
 * MAX_WINDOWS, all of the best score). */
static void atomicity_mark(scan *s)
{
    if (!found_kind(s, "invariant") && !found_kind(s, "lost-update") &&
        !found_kind(s, "wrong-result") && !found_kind(s, "crash"))
        return;
    window *w;
    size_t n = windows_find(s, &w);
    for (size_t i = 0; i < n && i < MAX_WINDOWS && w[i].score == w[0].score; i++)
        window_mark(s, &w[i]);
    free(w);
}

/* --- threads blocked for good ------------------------------------------------------ */

/* Where the thread of its last event `last` stays blocked, or -1 (the
 * unlock that follows a condition wait belongs to the wait). */
static long final_block(const scan *s, long last)
{
    long k = last, p = s->prev[last];
    if (op_is(ev(s, k), "unlock") && p >= 0 && op_is(ev(s, p), "wait") &&
        res_is(ev(s, p), "waiting"))
        k = p;
    return trace_event_blocks(ev(s, k)) ? k : -1;
}

/* The final blocks of every thread (caller frees). */
static size_t stuck_find(const scan *s, long **out)
{
    size_t n = 0;
    *out = xmalloc(sizeof **out * (s->t->events.len + 1));
    for (long i = 0; i < (long)s->t->events.len; i++) {
        long b = s->next[i] < 0 ? final_block(s, i) : -1;
        if (b >= 0) (*out)[n++] = b;
    }
    return n;
}

/* The stuck entry of the thread that b's thread waits for, or -1. */
static long stuck_peer(const scan *s, const long *stuck, size_t n, long b)
{
    const trace_event *e = ev(s, b);
    if (!*e->peer || op_is(e, "wait")) return -1;
    for (size_t i = 0; i < n; i++)
        if (ev(s, stuck[i])->pid == e->pid && !strcmp(ev(s, stuck[i])->tid, e->peer))
            return (long)i;
    return -1;
}

/* "T1 → T2 → T1" for the cycle through stuck[i]. */
static void cycle_words(const scan *s, const long *stuck, size_t n, size_t i, char *buf,
                        size_t cap)
{
    int len = snprintf(buf, cap, "%s", ev(s, stuck[i])->tid);
    long k = stuck_peer(s, stuck, n, stuck[i]);
    for (size_t hops = 0; k >= 0 && hops < n && (size_t)len < cap; hops++) {
        len += snprintf(buf + len, cap - (size_t)len, " → %s", ev(s, stuck[k])->tid);
        if ((size_t)k == i) break;
        k = stuck_peer(s, stuck, n, stuck[k]);
    }
}

/* Whether following who-waits-for-whom from stuck[i] comes back to it. */
static bool in_cycle(const scan *s, const long *stuck, size_t n, size_t i)
{
    long k = stuck_peer(s, stuck, n, stuck[i]);
    for (size_t hops = 0; k >= 0 && hops < n; hops++) {
        if ((size_t)k == i) return true;
        k = stuck_peer(s, stuck, n, stuck[k]);
    }
    return false;
}

/* The holder's last acquisition of b's lock before b, or -1. */
static long holder_acquire(const scan *s, long b)
{
    const trace_event *w = ev(s, b);
    for (long k = b - 1; k >= 0; k--) {
        const trace_event *e = ev(s, k);
        if (e->pid == w->pid && !strcmp(e->tid, w->peer) && is_acquire(e) &&
            !strcmp(e->obj, w->obj))
            return k;
    }
    return -1;
}

/* Marks stuck[i], a thread of a wait-for cycle, and where the thread it
 * waits for took that lock. */
static void cycle_mark(scan *s, const long *stuck, size_t n, size_t i)
{
    const trace_event *e = ev(s, stuck[i]);
    char path[160];
    cycle_words(s, stuck, n, i, path, sizeof path);
    if (op_is(e, "join")) {
        mark(s, stuck[i], TRACE_MARK_CYCLE,
             _("%s waits for %s to exit, for good: a wait-for cycle (%s)"), e->tid,
             e->peer, path);
        return;
    }
    if (!strcmp(e->peer, e->tid))
        mark(s, stuck[i], TRACE_MARK_CYCLE,
             _("%s waits for %s, which it holds itself: it waits for good"), e->tid,
             e->obj);
    else
        mark(
            s, stuck[i], TRACE_MARK_CYCLE,
            _("%s waits for %s, which %s holds: a wait-for cycle (%s), nobody can go on"),
            e->tid, e->obj, e->peer, path);
    mark(s, holder_acquire(s, stuck[i]), TRACE_MARK_HOLDS,
         _("%s takes %s here; %s waits for it later, for good"), e->peer, e->obj, e->tid);
}

/* Marks b, where a thread outside any cycle blocks at the end: for good
 * when every thread still alive is blocked too (proven: nothing can wake
 * it), else only "when the run stopped" (a mark that tells, not accuses). */
static void stuck_mark(scan *s, long b, bool proven)
{
    const trace_event *e = ev(s, b);
    if (!proven) {
        const char *on = *e->obj ? e->obj : _("something");
        if (op_is(e, "join"))
            mark(s, b, TRACE_MARK_WAITING,
                 _("%s was waiting for %s to exit when the run stopped"), e->tid,
                 e->peer);
        else if (*e->peer && !op_is(e, "wait"))
            mark(s, b, TRACE_MARK_WAITING,
                 _("%s was waiting for %s (held by %s) when the run stopped"), e->tid, on,
                 e->peer);
        else
            mark(s, b, TRACE_MARK_WAITING, _("%s was waiting on %s when the run stopped"),
                 e->tid, on);
        return;
    }
    if (op_is(e, "wait"))
        mark(s, b, TRACE_MARK_STUCK,
             _("%s waits on %s for ever: every other thread is blocked too, nothing can "
               "wake it"),
             e->tid, e->obj);
    else if (op_is(e, "join"))
        mark(s, b, TRACE_MARK_STUCK,
             _("%s waits for %s to exit, for ever (every thread is blocked)"), e->tid,
             e->peer);
    else if (*e->peer)
        mark(s, b, TRACE_MARK_STUCK,
             _("%s waits for %s (held by %s), for ever (every thread is blocked)"),
             e->tid, e->obj, e->peer);
    else
        mark(s, b, TRACE_MARK_STUCK,
             _("%s waits on %s, for ever (every thread is blocked)"), e->tid,
             *e->obj ? e->obj : _("something"));
}

/* Whether every thread alive at the end of the schedule (its last event is
 * not its exit) is among the n blocked ones: then none can wake another. */
static bool all_blocked(const scan *s, size_t n)
{
    size_t alive = 0;
    for (long i = 0; i < (long)s->t->events.len; i++)
        if (s->next[i] < 0 && !op_is(ev(s, i), "exit")) alive++;
    return alive == n;
}

/* The signal or broadcast that caused wake-up wk of the thread waiting
 * at b, or -1. */
static long waker_of(const scan *s, long wk, const trace_event *w)
{
    const trace_event *k = ev(s, wk);
    for (long i = wk - 1; i >= 0; i--) {
        const trace_event *e = ev(s, i);
        if (e->pid != w->pid || strcmp(e->tid, k->peer) || strcmp(e->op, k->result) ||
            strcmp(e->obj, w->obj))
            continue;
        if (op_is(e, "broadcast") || !strcmp(e->peer, w->tid)) return i;
    }
    return -1;
}

/* A thread waiting for good at b was woken on the same condition variable
 * before and waited again without signalling anything: marks that wake-up
 * and the signal or broadcast that caused it. Returns whether it found one. */
static bool swallowed_mark(scan *s, long b)
{
    const trace_event *w = ev(s, b);
    long wk = -1;
    for (long p = s->prev[b]; p >= 0 && wk < 0; p = s->prev[p]) {
        const trace_event *e = ev(s, p);
        if (is_signal(e) || op_is(e, "wait")) return false;
        if (op_is(e, "wake") && !strcmp(e->obj, w->obj)) wk = p;
    }
    if (wk < 0 || !*ev(s, wk)->peer ||
        !(res_is(ev(s, wk), "signal") || res_is(ev(s, wk), "broadcast")))
        return false;
    const trace_event *k = ev(s, wk);
    long by = waker_of(s, wk, w);
    if (by >= 0 && op_is(ev(s, by), "signal"))
        mark(s, by, TRACE_MARK_SWALLOWED,
             _("this signal on %s wakes %s, which waits on %s again without passing it "
               "on"),
             w->obj, w->tid, w->obj);
    else
        mark(s, by, TRACE_MARK_SWALLOWED,
             _("this broadcast wakes the threads waiting on %s, and they wait on %s "
               "again"),
             w->obj, w->obj);
    mark(s, wk, TRACE_MARK_SWALLOWED,
         _("%s is woken by %s's %s, finds nothing to do and waits again (step %ld)"),
         w->tid, k->peer, k->result, w->step);
    return true;
}

/* The last signal or broadcast on b's condition variable that nobody
 * received, before the thread began its wait for good. */
static void lost_mark(scan *s, long b, bool proven)
{
    const trace_event *w = ev(s, b);
    for (long i = b - 1; i >= 0; i--) {
        const trace_event *e = ev(s, i);
        if (e->pid == w->pid && is_signal(e) && res_is(e, "nobody") &&
            !strcmp(e->obj, w->obj)) {
            if (proven)
                mark(
                    s, i, TRACE_MARK_LOST,
                    _("nobody waits on %s yet: this %s is lost, and %s waits on %s later "
                      "(step %ld), for ever"),
                    w->obj, e->op, w->tid, w->obj, w->step);
            else
                mark(s, i, TRACE_MARK_LOST,
                     _("nobody waits on %s yet: this %s is lost; %s waits on %s later "
                       "(step %ld) and is still waiting when the run stops"),
                     w->obj, e->op, w->tid, w->obj, w->step);
            return;
        }
    }
}

/* Every thread blocked at the end: in a cycle or stuck (for ever when all
 * are blocked, else only waiting when the run stopped), and for a condition
 * wait the wake-up it swallowed or the signal nobody received. */
static void blocked_mark(scan *s)
{
    long *stuck;
    size_t n = stuck_find(s, &stuck);
    bool proven = all_blocked(s, n);
    for (size_t i = 0; i < n; i++) {
        if (in_cycle(s, stuck, n, i))
            cycle_mark(s, stuck, n, i);
        else
            stuck_mark(s, stuck[i], proven);
        if (op_is(ev(s, stuck[i]), "wait") && !swallowed_mark(s, stuck[i]))
            lost_mark(s, stuck[i], proven);
    }
    free(stuck);
}

/* --- spurious wake-ups -------------------------------------------------------------- */

#define MAX_SPURIOUS 2 /* the last ones marked */

/* The same thread's first event after i that is not re-taking a lock at
 * i's line (a woken wait re-acquires its mutex), or -1. */
static long after_relock(const scan *s, long i)
{
    long j = s->next[i];
    while (j >= 0 && is_lock_op(ev(s, j)) && ev(s, j)->line == ev(s, i)->line)
        j = s->next[j];
    return j;
}

/* A wait that ends without a signal (spurious: POSIX allows it) and after
 * which the thread goes on instead of waiting again: its condition was
 * never checked again. Marks the wake-up and what the thread does next (a
 * put on a full queue, a get from an empty one), the last MAX_SPURIOUS. */
static void spurious_mark(scan *s)
{
    int marked = 0;
    for (long i = (long)s->t->events.len; i-- > 0 && marked < MAX_SPURIOUS;) {
        const trace_event *w = ev(s, i);
        if (!op_is(w, "wake") || !res_is(w, "spurious")) continue;
        long j = after_relock(s, i);
        if (j < 0 || (op_is(ev(s, j), "wait") && !strcmp(ev(s, j)->obj, w->obj)))
            continue;
        mark(s, i, TRACE_MARK_SPURIOUS,
             _("%s wakes up without any signal (a spurious wake-up, which POSIX allows) "
               "and does "
               "not check its condition again"),
             w->tid);
        mark(s, j, TRACE_MARK_SPURIOUS,
             _("%s goes on here as if its condition held, though nothing changed since "
               "it began "
               "to wait on %s"),
             w->tid, w->obj);
        marked++;
    }
}

/* --- findings' lines --------------------------------------------------------------- */

/* Events at the file:line of a finding. */
static void lines_mark(scan *s)
{
    for (size_t i = 0; s->fs && i < s->fs->len; i++) {
        const finding *f = &s->fs->items[i];
        if (!f->file || f->line <= 0) continue;
        const kind_info *k = kind_lookup(f->kind);
        for (long j = 0; j < (long)s->t->events.len; j++) {
            const trace_event *e = ev(s, j);
            if (e->file && e->line == f->line && !strcmp(e->file, f->file))
                mark(s, j, TRACE_MARK_AT_FINDING, _("at the line of the finding (%s)"),
                     k ? k->title : f->kind);
        }
    }
}

trace_mark *trace_marks(const trace *t, const findings *fs)
{
    if (!t->events.len) return NULL;
    scan s = {.t = t};
    s.m = xmalloc(sizeof *s.m * t->events.len);
    scan_findings(&s, fs);
    scan_link(&s);
    lines_mark(&s);
    atomicity_mark(&s);
    spurious_mark(&s);
    blocked_mark(&s);
    free(s.own.items);
    free(s.prev);
    free(s.next);
    return s.m;
}

void trace_marks_free(trace_mark *m, size_t n)
{
    for (size_t i = 0; m && i < n; i++) free(m[i].note);
    free(m);
}
