/* Diagnoses: wait-for cycles (deadlocks), self-deadlocks and global stalls
 * (lost wake-ups), written as finding lines. Every function here runs under
 * the global lock; the report functions end the process with
 * STRESS_STALL_EXIT because the program cannot continue.
 */
#include "shim.h"

enum { MAX_CYCLE = 64, MAX_REPORTED = 64 };

static unsigned long visit_stamp;

/* ---- wait-for edges ----------------------------------------------------- */
static int diag_reads(struct thr *t, struct obj *o)
{
    return held_find(t, o, HM_READ) != NULL;
}

/* Stores in out the threads t waits for (those holding what it needs);
 * returns how many. Only untimed lock, rwlock and join waits have edges. */
static int diag_holders(struct thr *t, struct thr **out, int cap)
{
    if (t->timed) return 0;
    struct obj *o = t->wobj;
    int n = 0;
    switch (t->wkind) {
    case WK_LOCK:
    case WK_RDLOCK:
        if (obj_owner(o)) out[n++] = obj_owner(o);
        return n;
    case WK_WRLOCK:
        if (obj_owner(o)) out[n++] = obj_owner(o);
        for (int i = 0; i < g.nslots && n < cap; i++) {
            struct thr *u = g.slots[i];
            if (u && u->state != TS_FREE && u != t && diag_reads(u, o)) out[n++] = u;
        }
        return n;
    case WK_JOIN:
        if (t->wthr) out[n++] = t->wthr;
        return n;
    default:
        return 0;
    }
}

static int diag_waits_blocked(struct thr *u)
{
    return u->state == TS_BLOCKED && !u->timed &&
           (u->wkind == WK_LOCK || u->wkind == WK_RDLOCK || u->wkind == WK_WRLOCK ||
            u->wkind == WK_JOIN);
}

/* Depth-first search from u for a path of blocked threads back to target.
 * On success path[0..return) is the cycle, path[i] waiting for path[i+1]. */
static int diag_dfs(struct thr *u, struct thr *target, struct thr **path, int depth)
{
    struct thr *hs[MAX_REPORTED];
    if (depth >= MAX_CYCLE) return 0;
    path[depth] = u;
    u->visit = visit_stamp;
    int n = diag_holders(u, hs, MAX_REPORTED);
    for (int i = 0; i < n; i++) {
        if (hs[i] == target) return depth + 1;
        if (hs[i]->visit == visit_stamp || !diag_waits_blocked(hs[i])) continue;
        int len = diag_dfs(hs[i], target, path, depth + 1);
        if (len) return len;
    }
    return 0;
}

/* ---- report pieces ------------------------------------------------------ */
static const char *diag_op_name(int kind)
{
    static const char *names[] = {"none", "lock",     "rdlock",  "wrlock", "wait",
                                  "join", "sem_wait", "barrier", "sleep"};
    return names[kind];
}

static const char *diag_mode_name(int mode)
{
    return mode == HM_READ ? "read" : mode == HM_WRITE ? "write" : "lock";
}

static void jb_obj(struct jb *b, const struct obj *o)
{
    jb_objname(b, o->kind, o->no);
}

/* Appends a short English description of what t waits for, such as
 * "waits for M2" or "waits for T3 to exit". */
static void jb_wait_text(struct jb *b, const struct thr *t)
{
    char name[32];
    struct jb nb;
    jb_init(&nb, name, sizeof name);
    if (t->wkind == WK_JOIN && t->wthr) {
        jb_puts(b, "waits for T");
        jb_u64(b, (uint64_t)t->wthr->lid);
        jb_puts(b, " to exit");
        return;
    }
    static const char *verbs[] = {
        "runs",      "waits for ", "waits to read-lock ", "waits to write-lock ",
        "waits on ", "joins",      "waits on ",           "waits at ",
        "sleeps"};
    jb_puts(b, verbs[t->wkind]);
    if (t->wobj && t->wkind != WK_JOIN && t->wkind != WK_SLEEP) {
        jb_putc(b, obj_prefix(t->wobj->kind));
        jb_u64(b, (uint64_t)t->wobj->no);
    }
}

static void jb_holds(struct jb *b, const struct thr *t)
{
    jb_puts(b, ",\"holds\":[");
    for (int i = 0; i < t->nheld; i++) {
        const struct held *h = &t->held[i];
        if (i) jb_putc(b, ',');
        jb_puts(b, "{\"obj\":");
        jb_obj(b, h->obj);
        jb_puts(b, ",\"addr\":");
        jb_hex(b, h->obj->addr);
        jb_puts(b, ",\"mode\":");
        jb_str(b, diag_mode_name(h->mode));
        jb_puts(b, ",\"count\":");
        jb_i64(b, h->count);
        jb_puts(b, ",\"stack\":");
        jb_stack(b, &h->stk);
        jb_putc(b, '}');
    }
    jb_putc(b, ']');
}

static void jb_waits(struct jb *b, const struct thr *t, int op, const struct stack *stk)
{
    jb_puts(b, ",\"waits\":{\"op\":");
    jb_str(b, diag_op_name(op));
    if (op == WK_JOIN && t->wthr) {
        jb_puts(b, ",\"obj\":");
        jb_tid(b, t->wthr->lid);
    } else if (t->wobj) {
        jb_puts(b, ",\"obj\":");
        jb_obj(b, t->wobj);
        jb_puts(b, ",\"addr\":");
        jb_hex(b, t->wobj->addr);
    }
    if (t->wmutex) {
        jb_puts(b, ",\"mutex\":");
        jb_obj(b, t->wmutex);
    }
    jb_puts(b, ",\"stack\":");
    jb_stack(b, stk);
    jb_putc(b, '}');
}

/* Appends the report object of a blocked thread t. */
static void jb_thread(struct jb *b, const struct thr *t)
{
    jb_puts(b, "{\"tid\":");
    jb_tid(b, t->lid);
    jb_puts(b, ",\"state\":\"");
    jb_wait_text(b, t);
    jb_putc(b, '"');
    jb_holds(b, t);
    jb_waits(b, t, t->wkind, &t->wstk);
    jb_putc(b, '}');
}

static void jb_finding_head(struct jb *b, const char *kind, const char *cause)
{
    jb_head(b, "finding");
    jb_puts(b, ",\"kind\":");
    jb_str(b, kind);
    jb_puts(b, ",\"cause\":");
    jb_str(b, cause);
    jb_puts(b, ",\"step\":");
    jb_u64(b, g.step);
    jb_puts(b, ",\"seq\":");
    jb_u64(b, g.seq);
}

/* Ends the process after a finding: the end line, the program's stdio
 * buffers, then exit with status. The global lock stays held, so no other
 * managed thread gets further than its next interposed call. */
void diag_finish(int status)
{
    cfg_write_end(status, "finding");
    g.dying = 1;
    if (real.fflush) real.fflush(NULL);
    sys_exit_group(status);
}

typedef void (*report_fn)(struct jb *b, void *arg);

/* Formats a finding with fn into the large buffer, retrying with shorter
 * stacks if it does not fit, and writes it after the event ring. */
static void diag_write(report_fn fn, void *arg)
{
    static const int depths[] = {STACK_DEPTH, 6, 1, 0};
    size_t cap;
    char *mem = out_bigbuf(&cap);
    struct jb b;
    out_dump_ring();
    for (int i = 0; i < 4; i++) {
        jb_set_depth(depths[i]);
        jb_init(&b, mem, cap);
        fn(&b, arg);
        if (!b.full) break;
    }
    jb_set_depth(STACK_DEPTH);
    out_line(&b, 1);
}

/* ---- deadlock ----------------------------------------------------------- */
struct cycle {
    struct thr **path;
    int n;
};

static void cycle_message(struct jb *b, const struct cycle *c)
{
    jb_puts(b, ",\"message\":\"Deadlock: ");
    for (int i = 0; i < c->n; i++) {
        struct thr *t = c->path[i], *next = c->path[(i + 1) % c->n];
        jb_puts(b, i ? "; T" : "T");
        jb_u64(b, (uint64_t)t->lid);
        jb_putc(b, ' ');
        jb_wait_text(b, t);
        if (t->wkind != WK_JOIN) {
            jb_puts(b, ", which T");
            jb_u64(b, (uint64_t)next->lid);
            jb_puts(b, " holds");
        }
    }
    jb_puts(b, ". None of them can continue.\"");
}

static void cycle_report(struct jb *b, void *arg)
{
    const struct cycle *c = arg;
    jb_finding_head(b, "deadlock", "wait-for-cycle");
    cycle_message(b, c);
    jb_puts(b, ",\"threads\":[");
    for (int i = 0; i < c->n; i++) {
        if (i) jb_putc(b, ',');
        jb_thread(b, c->path[i]);
    }
    jb_puts(b, "]}");
}

/* t is about to block on the wait it recorded. If that closes a cycle of
 * threads each waiting for a lock (or a join) held by the next, the cycle is
 * reported and the process ends. */
void diag_check_cycle(struct thr *t)
{
    struct thr *path[MAX_CYCLE];
    visit_stamp++;
    int n = diag_dfs(t, t, path, 0);
    if (!n) return;
    struct cycle c = {path, n};
    diag_write(cycle_report, &c);
    diag_finish(cfg.stall_exit);
}

/* ---- self-deadlock ------------------------------------------------------ */
struct self_dl {
    struct thr *t;
    struct obj *o;
    int op;
    struct stack stk;
};

static void self_report(struct jb *b, void *arg)
{
    const struct self_dl *s = arg;
    jb_finding_head(b, "self-deadlock",
                    s->op == WK_WRLOCK ? "read-then-write" : "relock");
    jb_puts(b, ",\"message\":\"Self-deadlock: T");
    jb_u64(b, (uint64_t)s->t->lid);
    if (s->op == WK_WRLOCK) {
        jb_puts(b, " asks to write-lock ");
        jb_puts(b, "R");
        jb_u64(b, (uint64_t)s->o->no);
        jb_puts(b,
                " while it holds a read lock on it, so it waits for itself forever.\"");
    } else {
        jb_puts(b, " locks ");
        jb_putc(b, obj_prefix(s->o->kind));
        jb_u64(b, (uint64_t)s->o->no);
        jb_puts(b, " again while already holding it; the mutex is not recursive, so T");
        jb_u64(b, (uint64_t)s->t->lid);
        jb_puts(b, " waits for itself forever.\"");
    }
    jb_puts(b, ",\"threads\":[{\"tid\":");
    jb_tid(b, s->t->lid);
    jb_puts(b, ",\"state\":\"waits for itself\"");
    jb_holds(b, s->t);
    jb_waits(b, s->t, s->op, &s->stk);
    jb_puts(b, "}]}");
}

/* t asks again for o, which it holds and which cannot be taken twice. */
void diag_self_deadlock(struct thr *t, struct obj *o, int op)
{
    /* the second attempt, in the trace: the thread blocks on itself */
    ev_emit(t, op == WK_WRLOCK ? EV_WRLOCK : EV_LOCK, o, ER_BLOCKED, t->lid, -1);
    struct self_dl s;
    s.t = t;
    s.o = o;
    s.op = op;
    stk_capture(&s.stk);
    t->wobj = o;
    t->wmutex = NULL;
    t->wkind = op;
    diag_write(self_report, &s);
    diag_finish(cfg.stall_exit);
}

/* ---- stalls and lost wake-ups ------------------------------------------- */
struct stall {
    struct thr *blocked[MAX_REPORTED];
    int n;
    struct thr *lost; /* a condition waiter with lost wake-up evidence */
    int swallowed;
};

/* Looks for evidence that t, waiting on a condition variable, lost its
 * wake-up: a signal on it that reached nobody before t began to wait, or a
 * signal consumed by a thread that went back to waiting without passing it
 * on. Returns 0 (none), 1 (signal to nobody) or 2 (signal swallowed). */
static int stall_evidence(const struct thr *t)
{
    const struct obj *c = t->wobj;
    if (t->wkind != WK_COND || !c) return 0;
    if (c->has_swallow && c->swallow_by != t->lid) return 2;
    if (c->has_nobody && c->nobody_seq < t->wait_seq) return 1;
    return 0;
}

static void stall_collect(struct stall *s)
{
    s->n = 0;
    s->lost = NULL;
    s->swallowed = 0;
    for (int i = 0; i < g.nslots && s->n < MAX_REPORTED; i++) {
        struct thr *t = g.slots[i];
        if (!t || t->state != TS_BLOCKED) continue;
        s->blocked[s->n++] = t;
        int ev = stall_evidence(t);
        if (ev && (!s->lost || (ev == 2 && !s->swallowed))) {
            s->lost = t;
            s->swallowed = ev == 2;
        }
    }
}

static void stall_lost_text(struct jb *b, const struct stall *s)
{
    const struct thr *t = s->lost;
    const struct obj *c = t->wobj;
    jb_puts(b, "Lost wake-up: T");
    jb_u64(b, (uint64_t)t->lid);
    jb_puts(b, " waits on C");
    jb_u64(b, (uint64_t)c->no);
    if (s->swallowed) {
        jb_puts(b, " forever: a signal on C");
        jb_u64(b, (uint64_t)c->no);
        jb_puts(b, " from T");
        jb_u64(b, (uint64_t)c->swallow_from);
        jb_puts(b, " woke T");
        jb_u64(b, (uint64_t)c->swallow_by);
        jb_puts(b, ", which went back to waiting without passing it on (one condition "
                   "variable for two conditions, or signal where broadcast is needed)");
    } else {
        jb_puts(b, " forever, but C");
        jb_u64(b, (uint64_t)c->no);
        jb_puts(b, c->nobody_bcast ? " was broadcast by T" : " was signalled by T");
        jb_u64(b, (uint64_t)c->nobody_tid);
        jb_puts(b, " at step ");
        jb_u64(b, c->nobody_step);
        jb_puts(b, " while no thread waited on it");
    }
    jb_puts(b, ". ");
}

/* Appends the message of a stall; intro begins the list of blocked threads. */
static void stall_message(struct jb *b, const struct stall *s, const char *intro)
{
    jb_puts(b, ",\"message\":\"");
    if (s->lost) stall_lost_text(b, s);
    jb_puts(b, intro);
    for (int i = 0; i < s->n; i++) {
        const struct thr *t = s->blocked[i];
        jb_puts(b, i ? "; T" : "T");
        jb_u64(b, (uint64_t)t->lid);
        jb_putc(b, ' ');
        jb_wait_text(b, t);
        struct obj *o = t->wobj;
        struct thr *own = o ? obj_owner(o) : NULL;
        if ((t->wkind == WK_LOCK || t->wkind == WK_WRLOCK) && o && o->ghost && !own)
            jb_puts(b, " (held by a thread that does not exist in this process)");
        else if ((t->wkind == WK_LOCK || t->wkind == WK_WRLOCK) && own &&
                 own->state == TS_EXITED)
            jb_puts(b, " (held by a thread that has exited)");
    }
    jb_puts(b, ".\"");
}

/* The signal nobody received, on condition variable c: who sent it, when
 * and where (it is often older than the events kept for the trace). */
static void stall_signal(struct jb *b, const struct obj *c)
{
    if (!c || !c->has_nobody) return;
    jb_puts(b, ",\"signal\":{\"tid\":");
    jb_tid(b, c->nobody_tid);
    jb_puts(b, ",\"op\":");
    jb_str(b, c->nobody_bcast ? "broadcast" : "signal");
    jb_puts(b, ",\"obj\":\"C");
    jb_u64(b, (uint64_t)c->no);
    jb_puts(b, "\",\"step\":");
    jb_u64(b, c->nobody_step);
    if (c->nobody_pc) {
        jb_puts(b, ",\"site\":");
        jb_frame(b, c->nobody_pc);
    }
    jb_putc(b, '}');
}

static void stall_report(struct jb *b, void *arg)
{
    const struct stall *s = arg;
    const char *cause = !s->lost       ? NULL
                        : s->swallowed ? "signal-swallowed"
                                       : "signal-to-nobody";
    jb_finding_head(b, s->lost ? "lost-wakeup" : "stall", cause);
    stall_message(b, s, "Every thread is blocked and none can wake another: ");
    if (s->lost && !s->swallowed) stall_signal(b, s->lost->wobj);
    jb_puts(b, ",\"threads\":[");
    for (int i = 0; i < s->n; i++) {
        if (i) jb_putc(b, ',');
        jb_thread(b, s->blocked[i]);
    }
    jb_puts(b, "]}");
}

/* ---- virtual time jumps -------------------------------------------------- */
enum { MAX_TIMEWARPS = 4 };

static int timewarps_written;

void diag_reset_after_fork(void)
{
    timewarps_written = 0;
}

struct timewarp {
    struct stall s;
    struct thr *woken;
};

static void timewarp_report(struct jb *b, void *arg)
{
    const struct timewarp *w = arg;
    const struct stall *s = &w->s;
    jb_head(b, "timewarp");
    jb_puts(b, ",\"woken\":");
    jb_tid(b, w->woken->lid);
    jb_puts(b, ",\"suspect\":");
    jb_str(b, s->lost ? "lost-wakeup" : "stall");
    jb_puts(b, ",\"cause\":");
    jb_str(b, !s->lost ? NULL : s->swallowed ? "signal-swallowed" : "signal-to-nobody");
    jb_puts(b, ",\"step\":");
    jb_u64(b, g.step);
    jb_puts(b, ",\"seq\":");
    jb_u64(b, g.seq);
    stall_message(b, s, "Every thread is blocked until a deadline passes: ");
    jb_puts(b, ",\"threads\":[");
    for (int i = 0; i < s->n; i++) {
        if (i) jb_putc(b, ',');
        jb_thread(b, s->blocked[i]);
    }
    jb_puts(b, "]}");
}

static int timewarp_untimed(const struct stall *s)
{
    for (int i = 0; i < s->n; i++)
        if (!s->blocked[i]->timed) return 1;
    return 0;
}

/* pct: every thread is blocked and the timed wait of woken is about to end
 * in virtual time. If threads without a deadline are blocked too, what they
 * wait for is written as a timewarp line (at most MAX_TIMEWARPS per process):
 * if the program then fails on that timeout, the line says why. */
void diag_timewarp(struct thr *woken)
{
    static struct timewarp w;
    if (timewarps_written >= MAX_TIMEWARPS) return;
    stall_collect(&w.s);
    if (!timewarp_untimed(&w.s)) return;
    timewarps_written++;
    w.woken = woken;
    size_t cap;
    char *mem = out_bigbuf(&cap);
    struct jb b;
    jb_set_depth(6);
    jb_init(&b, mem, cap);
    timewarp_report(&b, &w);
    jb_set_depth(STACK_DEPTH);
    out_line(&b, 1);
}

/* Every live managed thread is blocked in the model and no deadline is
 * pending: reports the stall (a lost wake-up when there is evidence for
 * one) and ends the process. */
void diag_stall(void)
{
    static struct stall s;
    stall_collect(&s);
    diag_write(stall_report, &s);
    diag_finish(cfg.stall_exit);
}
