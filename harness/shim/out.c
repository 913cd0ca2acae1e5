/* The JSON-lines output of the shim: the file, its size cap, the event ring
 * and the formatting of values, events and stack frames.
 *
 * Every line is written with a single write(2) on a descriptor opened with
 * O_APPEND, so lines of forked children never interleave. All functions here
 * run under the global lock.
 */
#include "shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

enum { CAP_EVENTS = 3584 * 1024, CAP_ALL = 4096 * 1024, BIGBUF = 2 * 1024 * 1024 };

static int out_fd = -1;
static dev_t out_dev;
static ino_t out_ino;
static size_t out_bytes;
static int out_truncated;
static struct ev ring[RING_SIZE];
static unsigned long ring_dumped; /* events up to this seq were written */
static char *bigbuf;

const char *cfg_self_exe(void);

/* ---- JSON buffer -------------------------------------------------------- */
void jb_init(struct jb *b, char *mem, size_t cap)
{
    b->p = mem;
    b->n = 0;
    b->cap = cap;
    b->full = 0;
}

void jb_putc(struct jb *b, char c)
{
    if (b->n + 2 >= b->cap) {
        b->full = 1;
        return;
    }
    b->p[b->n++] = c;
}

void jb_puts(struct jb *b, const char *s)
{
    while (*s) jb_putc(b, *s++);
}

/* Appends s as a JSON string, escaping quotes, backslashes and control
 * characters; NULL becomes null. */
void jb_str(struct jb *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        jb_puts(b, "null");
        return;
    }
    jb_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            jb_putc(b, '\\');
            jb_putc(b, (char)c);
        } else if (c < 0x20) {
            jb_puts(b, "\\u00");
            jb_putc(b, hex[c >> 4]);
            jb_putc(b, hex[c & 15]);
        } else {
            jb_putc(b, (char)c);
        }
    }
    jb_putc(b, '"');
}

void jb_u64(struct jb *b, uint64_t v)
{
    char tmp[24];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i) jb_putc(b, tmp[--i]);
}

void jb_i64(struct jb *b, int64_t v)
{
    if (v < 0) {
        jb_putc(b, '-');
        jb_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        jb_u64(b, (uint64_t)v);
    }
}

void jb_hex(struct jb *b, uintptr_t v)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[20];
    int i = 0;
    do {
        tmp[i++] = hex[v & 15];
        v >>= 4;
    } while (v);
    jb_puts(b, "\"0x");
    while (i) jb_putc(b, tmp[--i]);
    jb_putc(b, '"');
}

/* Appends an object name such as "M3" (with quotes). */
void jb_objname(struct jb *b, int kind, int no)
{
    jb_putc(b, '"');
    jb_putc(b, obj_prefix(kind));
    jb_u64(b, (uint64_t)no);
    jb_putc(b, '"');
}

void jb_tid(struct jb *b, long lid)
{
    jb_puts(b, "\"T");
    jb_u64(b, (uint64_t)lid);
    jb_putc(b, '"');
}

void jb_head(struct jb *b, const char *type)
{
    jb_puts(b, "{\"type\":");
    jb_str(b, type);
    jb_puts(b, ",\"pid\":");
    jb_i64(b, g.pid);
}

/* ---- stack frames ------------------------------------------------------- */
struct frame_info {
    void *pc;
    const char *module;
    uintptr_t base;
    const char *symbol;
};

static struct frame_info frame_cache[1024];

/* Resolves pc (already moved back into the call instruction) to its module,
 * load bias and dynamic symbol, caching the answer. */
static const struct frame_info *out_frame_lookup(void *pc)
{
    struct frame_info *f = &frame_cache[((uintptr_t)pc >> 2) % 1024];
    if (f->pc == pc) return f;
    Dl_info info;
    struct link_map *lm = NULL;
    sys_zero(&info, sizeof info);
    f->pc = pc;
    f->module = NULL;
    f->base = 0;
    f->symbol = NULL;
    if (!real.dladdr1 || !real.dladdr1(pc, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
        return f;
    f->module = lm->l_name[0] ? lm->l_name : cfg_self_exe();
    f->base = (uintptr_t)lm->l_addr;
    f->symbol = info.dli_saddr ? info.dli_sname : NULL;
    return f;
}

/* Appends {"module":..,"offset":..,"symbol":..} for return address ra. The
 * offset is (ra - 1) minus the module's load bias: an address inside the
 * call instruction that addr2line -e module resolves to the calling line. */
void jb_frame(struct jb *b, void *ra)
{
    void *pc = (char *)ra - 1;
    const struct frame_info *f = out_frame_lookup(pc);
    jb_puts(b, "{\"module\":");
    jb_str(b, f->module);
    jb_puts(b, ",\"offset\":");
    jb_u64(b, (uint64_t)((uintptr_t)pc - f->base));
    jb_puts(b, ",\"symbol\":");
    jb_str(b, f->symbol);
    jb_putc(b, '}');
}

static int stack_depth = STACK_DEPTH;

/* Limits the frames jb_stack writes (to make a large report fit). */
void jb_set_depth(int depth)
{
    stack_depth = depth;
}

void jb_stack(struct jb *b, const struct stack *s)
{
    jb_putc(b, '[');
    for (int i = 0; i < s->n && i < stack_depth; i++) {
        if (i) jb_putc(b, ',');
        jb_frame(b, s->pc[i]);
    }
    jb_putc(b, ']');
}

/* Returns the frame of a site to report: the caller of the sanitizer
 * interceptor when one is among the frames, else the first frame. */
static void *out_site_pick(const struct site *s)
{
    if (!shim_tsan) return s->pc[0];
    for (int i = 0; i + 1 < SITE_DEPTH && s->pc[i + 1]; i++)
        if (out_is_interceptor(s->pc[i])) return s->pc[i + 1];
    return s->pc[0];
}

void *out_site_pc(const struct site *s)
{
    return out_site_pick(s);
}

/* Returns 1 if return address ra lies in a sanitizer interceptor (a
 * function of the executable named like an interposed function). */
int out_is_interceptor(void *ra)
{
    const struct frame_info *f = out_frame_lookup((char *)ra - 1);
    return f->symbol && stk_interceptor(f->symbol);
}

/* ---- the file ----------------------------------------------------------- */
static long out_fstat(int fd, struct stat *st)
{
    return sys_call(SYS_fstat, fd, (long)st, 0, 0, 0, 0);
}

/* Moves fd to a high descriptor number, out of the way of the program's
 * own descriptors; returns the descriptor to use. */
static int out_move_high(int fd)
{
    struct rlimit rl;
    long target = 1000;
    if (sys_call(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&rl, 0, 0) == 0) {
        long cur = (long)rl.rlim_cur;
        if (cur <= 1000) target = cur > 16 ? cur - 4 : 3;
    }
    long nfd = sys_call(SYS_fcntl, fd, F_DUPFD_CLOEXEC, target, 0, 0, 0);
    if (nfd < 0) return fd;
    sys_call(SYS_close, fd, 0, 0, 0, 0, 0);
    return (int)nfd;
}

/* Opens STRESS_OUT for appending; returns 0 on success. */
int out_open(void)
{
    long fd = sys_call(SYS_openat, AT_FDCWD, (long)cfg.out,
                       O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644, 0, 0);
    if (fd < 0) return -1;
    out_fd = out_move_high((int)fd);
    struct stat st;
    if (out_fstat(out_fd, &st) == 0) {
        out_dev = st.st_dev;
        out_ino = st.st_ino;
    }
    return 0;
}

/* Makes sure out_fd still refers to the output file: the program may have
 * closed it or reused its number. Returns 0 if writing is safe. */
static int out_check(void)
{
    struct stat st;
    if (out_fd >= 0 && out_fstat(out_fd, &st) == 0 && st.st_dev == out_dev &&
        st.st_ino == out_ino)
        return 0;
    return out_open();
}

static void out_raw(const char *s, size_t n)
{
    if (out_check() == 0 && sys_write_fd(out_fd, s, n) == 0) out_bytes += n;
}

static void out_truncate_note(void)
{
    if (out_truncated) return;
    out_truncated = 1;
    char mem[128];
    struct jb b;
    jb_init(&b, mem, sizeof mem);
    jb_head(&b, "truncated");
    jb_puts(&b, "}\n");
    out_raw(b.p, b.n);
}

/* Terminates b with a newline and writes it. Events (essential == 0) stop at
 * the event cap, everything stops at the total cap; the first line refused
 * is replaced by a truncated line. */
void out_line(struct jb *b, int essential)
{
    if (b->full) {
        out_truncate_note();
        return;
    }
    b->p[b->n++] = '\n';
    size_t cap = essential ? CAP_ALL : CAP_EVENTS;
    if (out_bytes + b->n > cap) {
        out_truncate_note();
        return;
    }
    out_raw(b->p, b->n);
}

char *out_bigbuf(size_t *cap)
{
    if (!bigbuf) bigbuf = sys_alloc(BIGBUF);
    *cap = BIGBUF;
    return bigbuf;
}

void out_reset_after_fork(void)
{
    out_bytes = 0;
    out_truncated = 0;
    ring_dumped = 0;
    for (int i = 0; i < RING_SIZE; i++) ring[i].seq = 0;
}

/* ---- events ------------------------------------------------------------- */
static const char *const op_names[EV_NOPS] = {
    "lock",      "unlock",   "trylock", "wait",   "wake",   "signal",
    "broadcast", "create",   "join",    "exit",   "fork",   "yield",
    "sem_wait",  "sem_post", "barrier", "rdlock", "wrlock", "preempt",
    "slice",     "sleep",    "detach",  "destroy"};

static const char *const res_names[ER_NRES] = {
    NULL,        "acquired",     "blocked",         "busy",
    "ok",        "timeout",      "spurious",        "signal",
    "broadcast", "error",        "edeadlk",         "recursive",
    "priority",  "change-point", "yield",           "nobody",
    "waiting",   "serial",       "virtual-timeout", "outside",
    "busy",      "nested-lock"};

static void out_event_format(struct jb *b, const struct ev *e)
{
    jb_head(b, "event");
    jb_puts(b, ",\"seq\":");
    jb_u64(b, e->seq);
    jb_puts(b, ",\"step\":");
    jb_u64(b, e->step);
    jb_puts(b, ",\"tid\":");
    jb_tid(b, e->tid);
    jb_puts(b, ",\"op\":");
    jb_str(b, op_names[e->op]);
    if (e->okind >= 0) {
        jb_puts(b, ",\"obj\":");
        jb_objname(b, e->okind, e->ono);
        jb_puts(b, ",\"addr\":");
        jb_hex(b, e->addr);
    }
    if (e->o2kind >= 0) {
        jb_puts(b, ",\"mutex\":");
        jb_objname(b, e->o2kind, e->o2no);
    }
    if (e->res != ER_NONE) {
        jb_puts(b, ",\"result\":");
        jb_str(b, res_names[e->res]);
    }
    if (e->peer >= 0) {
        jb_puts(b, ",\"peer\":");
        jb_tid(b, e->peer);
    }
    if (e->value != -1) {
        jb_puts(b, ",\"value\":");
        jb_i64(b, e->value);
    }
    if (e->nondet) jb_puts(b, ",\"nondeterministic\":true");
    if (e->site.pc[0]) {
        jb_puts(b, ",\"site\":");
        jb_frame(b, out_site_pick(&e->site));
    }
    jb_putc(b, '}');
}

static void out_event_write(const struct ev *e)
{
    char mem[2048];
    struct jb b;
    jb_init(&b, mem, sizeof mem);
    out_event_format(&b, e);
    out_line(&b, 0);
}

static uint64_t out_stamp(void)
{
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    return sys_now_ns(CLOCK_MONOTONIC);
#endif
}

/* Returns where to build the next event of thread t and sets its seq and ts:
 * scratch when every event is written at once (STRESS_TRACE=1); in pct mode
 * a slot of the process ring of the last RING_SIZE events (the sequence
 * number picks the slot); in random and observe mode a slot of t's own
 * ring, filled without any shared write (seq is then given when the rings
 * are written, in timestamp order). */
struct ev *out_event_slot(struct thr *t, struct ev *scratch)
{
    struct ev *e;
    if (cfg.trace || cfg.mode == MODE_PCT) {
        unsigned long seq =
            atomic_fetch_add_explicit(&g.seq, 1, memory_order_relaxed) + 1;
        e = cfg.trace ? scratch : &ring[seq % RING_SIZE];
        e->seq = seq;
    } else {
        e = &t->ring[t->ring_n++ % THR_RING];
        e->seq = 0;
    }
    e->ts = out_stamp();
    return e;
}

void out_event_done(struct ev *e)
{
    if (cfg.trace && !out_truncated) out_event_write(e);
}

static void out_dump_process(void)
{
    unsigned long last = atomic_load(&g.seq);
    unsigned long first = last >= RING_SIZE ? last - RING_SIZE + 1 : 1;
    if (first <= ring_dumped) first = ring_dumped + 1;
    for (unsigned long i = first; i <= last; i++)
        if (ring[i % RING_SIZE].seq == i) out_event_write(&ring[i % RING_SIZE]);
    ring_dumped = last;
}

/* The newest event of t not yet written, skipping `taken`; or NULL. */
static struct ev *out_ring_newest(struct thr *t, unsigned long taken)
{
    unsigned long lo = t->ring_n > THR_RING ? t->ring_n - THR_RING : 0;
    if (lo < t->ring_dumped) lo = t->ring_dumped;
    if (t->ring_n < lo + taken + 1) return NULL;
    return &t->ring[(t->ring_n - 1 - taken) % THR_RING];
}

/* Random and observe mode: merges the per-thread rings by timestamp and
 * writes the newest RING_SIZE events, oldest first, numbering them. */
static void out_dump_threads(void)
{
    static struct ev *pick[RING_SIZE];
    static unsigned long taken[MAX_THREADS];
    int n = 0;
    for (int i = 0; i < g.nslots; i++) taken[i] = 0;
    while (n < RING_SIZE) {
        int best = -1;
        struct ev *be = NULL;
        for (int i = 0; i < g.nslots; i++) {
            struct ev *e = g.slots[i] ? out_ring_newest(g.slots[i], taken[i]) : NULL;
            if (e && (!be || e->ts > be->ts)) {
                be = e;
                best = i;
            }
        }
        if (!be) break;
        taken[best]++;
        pick[n++] = be;
    }
    while (n > 0) {
        struct ev *e = pick[--n];
        e->seq = atomic_fetch_add(&g.seq, 1) + 1;
        out_event_write(e);
    }
    for (int i = 0; i < g.nslots; i++)
        if (g.slots[i]) g.slots[i]->ring_dumped = g.slots[i]->ring_n;
}

/* Writes the events kept in the rings, oldest first, and forgets them.
 * Caller holds the global lock. */
void out_dump_ring(void)
{
    if (cfg.trace) return;
    if (cfg.mode == MODE_PCT)
        out_dump_process();
    else
        out_dump_threads();
}
