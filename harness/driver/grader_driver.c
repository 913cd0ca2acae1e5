/* grader_driver.c - see grader_driver.h.
 *
 * Wire format (one JSON object per line, one write() per line, on the
 * descriptor named by GRADER_RESULT_FD), each line stamped with the run's
 * secret ("token"), which the grader passes on the descriptor named by
 * GRADER_TOKEN_FD (a pipe holding only it) and never in the environment:
 *   {"type":"out","key":K,"value":V}
 *   {"type":"finding","kind":K,"message":M,"stack":[FRAME...]}
 *     optionally with "stacks":[{"title":T,"stack":[FRAME...]}...] (drv_finding_sites)
 *   {"type":"crash","signal":N,"stack":[FRAME...]}
 *   {"type":"done","scenario":S,"status":N}
 * FRAME = {"module":PATH,"offset":N,"symbol":S|null}, the format the stress
 * shim uses too; the grader symbolizes frames of the program itself.
 *
 * The observers below must not create happens-before edges between student
 * threads (that would hide their races from TSan), so their bookkeeping uses
 * relaxed atomics only. */
#include "grader_driver.h"
#include "grader_forbid.h"
#include "grader_guard.h"
#include "grader_proc.h"
#include "grader_sync.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STACK      32
#define LINE_MAX_BYTES 8192

static int result_fd = -1;
static pid_t main_pid; /* the process drv_main runs in */
static char tool_name[16] = "native";
static bool
    hold_threads; /* new threads start once their creator moved on (held starts below) */
static atomic_int nfindings;
static atomic_int finished; /* the scenario returned */
static const char *scenario_name = "";
static unsigned long rand_state = 1;
static long patience_factor = 1;

/* --- JSON lines -------------------------------------------------------------- */

typedef struct line {
    char buf[LINE_MAX_BYTES];
    size_t len;
} line;

static void line_add(line *l, const char *s, size_t n)
{
    if (l->len + n >= sizeof l->buf - 4) n = sizeof l->buf - 4 - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void line_puts(line *l, const char *s)
{
    line_add(l, s, strlen(s));
}

static void line_printf(line *l, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) line_add(l, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void line_str(line *l, const char *s)
{
    line_puts(l, "\"");
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            line_add(l, e, 2);
        } else if (c < 0x20) {
            line_printf(l, "\\u%04x", c);
        } else {
            line_add(l, (const char *)&c, 1);
        }
    }
    line_puts(l, "\"");
}

static char run_token[48]; /* the grader's secret for this run, stamped on every line */

/* Reads the run's secret and closes its descriptor, before any constructor
 * of the student's object can run (they are refused by the build, and ours
 * runs first anyway): student code never finds it in the environment or on
 * a descriptor. */
__attribute__((constructor(101))) static void token_take(void)
{
    const char *fdtext = getenv("GRADER_TOKEN_FD");
    int fd = fdtext ? atoi(fdtext) : -1;
    struct stat st;
    if (fd < 3 || fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) return;
    char buf[sizeof run_token];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
        if (n == sizeof buf - 1) break;
    }
    close(fd);
    buf[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (!((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f')))
            n = 0;
    if (n) memcpy(run_token, buf, n + 1);
    memset(buf, 0, sizeof buf);
}

static void line_send(line *l)
{
    line_puts(l, "\n");
    if (result_fd < 0) return;
    if (run_token[0] && l->len && l->buf[0] == '{') {
        /* {"type":... -> {"token":"SECRET","type":... */
        char tmp[LINE_MAX_BYTES + 64];
        int n = snprintf(tmp, sizeof tmp, "{\"token\":\"%s\",", run_token);
        size_t rest = l->len - 1;
        if ((size_t)n + rest > sizeof l->buf) rest = sizeof l->buf - (size_t)n;
        memcpy(tmp + n, l->buf + 1, rest);
        memcpy(l->buf, tmp, (size_t)n + rest);
        l->len = (size_t)n + rest;
    }
    size_t off = 0;
    while (off < l->len) {
        ssize_t w = write(result_fd, l->buf + off, l->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        off += (size_t)w;
    }
}

/* Appends "stack":[...] for the given program counters. The first pc is a
 * return address unless exact; frames after it point one byte back so that
 * line lookup lands on the call. */
static void line_stack(line *l, void *const *pcs, int n, bool first_exact)
{
    line_puts(l, ",\"stack\":[");
    for (int i = 0; i < n; i++) {
        uintptr_t pc = (uintptr_t)pcs[i];
        if (i > 0 || !first_exact) pc -= 1;
        Dl_info info;
        if (i) line_puts(l, ",");
        if (dladdr((void *)pc, &info) && info.dli_fname) {
            line_puts(l, "{\"module\":");
            line_str(l, info.dli_fname);
            line_printf(l, ",\"offset\":%lu,\"symbol\":",
                        (unsigned long)(pc - (uintptr_t)info.dli_fbase));
            if (info.dli_sname)
                line_str(l, info.dli_sname);
            else
                line_puts(l, "null");
            line_puts(l, "}");
        } else {
            line_printf(l, "{\"module\":null,\"offset\":%lu,\"symbol\":null}",
                        (unsigned long)pc);
        }
    }
    line_puts(l, "]");
}

void drv_out(const char *key, const char *fmt, ...)
{
    char value[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    line l = {.len = 0};
    line_puts(&l, "{\"type\":\"out\",\"key\":");
    line_str(&l, key);
    line_puts(&l, ",\"value\":");
    line_str(&l, value);
    line_puts(&l, "}");
    line_send(&l);
}

/* --- messages the grader can translate ---------------------------------------
 * Beside the English message, a finding carries its format ("fmt") and each
 * argument formatted on its own ("args"): the grader looks the format up in
 * its catalogs and puts the arguments back into the translation, so the
 * driver itself never needs a locale or a catalog. */

/* One conversion of fmt at *pp ("%5.2f", "%zu", "%s"): its spec into spec,
 * its type letter (d integer, u unsigned, f double, s string, p pointer, c
 * char) into *type and its length modifier into len; *pp moves past it.
 * Returns false for what we do not pass on (%n, '*'). */
static bool conv_parse(const char **pp, char *spec, size_t cap, char *type, char len[3])
{
    const char *p = *pp, *start = p;
    p++;
    while (*p && strchr("-+ #0'", *p)) p++;
    while (*p >= '0' && *p <= '9') p++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++;
    }
    size_t k = 0;
    while (*p && strchr("hlzjtLq", *p) && k < 2) len[k++] = *p++;
    len[k] = 0;
    char c = *p;
    if (!c || (size_t)(p - start + 2) > cap || strchr("*$n", c)) return false;
    *type = strchr("di", c)         ? 'd'
            : strchr("uoxX", c)     ? 'u'
            : strchr("fFeEgGaA", c) ? 'f'
                                    : c;
    if (!strchr("dufspc", *type)) return false;
    memcpy(spec, start, (size_t)(p - start + 1));
    spec[p - start + 1] = 0;
    *pp = p + 1;
    return true;
}

/* Formats the next argument of ap by spec into buf. */
static void conv_format(char *buf, size_t n, const char *spec, char type, const char *len,
                        va_list *ap)
{
    bool ll = !strcmp(len, "ll") || !strcmp(len, "q"), l = !strcmp(len, "l"),
         z = *len == 'z' || *len == 'j' || *len == 't';
    switch (type) {
    case 'd':
        if (ll)
            snprintf(buf, n, spec, va_arg(*ap, long long));
        else if (l || z)
            snprintf(buf, n, spec, va_arg(*ap, long));
        else
            snprintf(buf, n, spec, va_arg(*ap, int));
        break;
    case 'u':
        if (ll)
            snprintf(buf, n, spec, va_arg(*ap, unsigned long long));
        else if (l || z)
            snprintf(buf, n, spec, va_arg(*ap, unsigned long));
        else
            snprintf(buf, n, spec, va_arg(*ap, unsigned));
        break;
    case 'f':
        if (*len == 'L')
            snprintf(buf, n, spec, va_arg(*ap, long double));
        else
            snprintf(buf, n, spec, va_arg(*ap, double));
        break;
    case 's':
        snprintf(buf, n, spec, va_arg(*ap, const char *));
        break;
    case 'p':
        snprintf(buf, n, spec, va_arg(*ap, void *));
        break;
    default:
        snprintf(buf, n, spec, va_arg(*ap, int));
        break;
    }
}

/* Appends ,"fmt":FMT,"args":[...] for fmt and its arguments; nothing when
 * fmt holds a conversion we do not pass on. */
static void line_args(line *l, const char *fmt, va_list ap)
{
    char args[LINE_MAX_BYTES / 2];
    size_t used = 0;
    va_list aq;
    va_copy(aq, ap);
    bool ok = true;
    args[0] = 0;
    for (const char *p = fmt; ok && *p;) {
        if (*p != '%') {
            p++;
            continue;
        }
        if (p[1] == '%') {
            p += 2;
            continue;
        }
        char spec[32], type, len[3], val[512];
        ok = conv_parse(&p, spec, sizeof spec, &type, len);
        if (!ok) break;
        conv_format(val, sizeof val, spec, type, len, &aq);
        line one = {.len = 0};
        line_str(&one, val);
        if (used + one.len + 2 >= sizeof args)
            ok = false;
        else
            used += (size_t)snprintf(args + used, sizeof args - used, "%s%.*s",
                                     used ? "," : "", (int)one.len, one.buf);
    }
    va_end(aq);
    if (!ok) return;
    line_puts(l, ",\"fmt\":");
    line_str(l, fmt);
    line_puts(l, ",\"args\":[");
    line_puts(l, args);
    line_puts(l, "]");
}

static void finding_send(const char *kind, void *const *pcs, int n, bool exact,
                         const char *fmt, va_list ap)
{
    char msg[2048];
    va_list aq;
    va_copy(aq, ap);
    vsnprintf(msg, sizeof msg, fmt, ap);
    line l = {.len = 0};
    line_puts(&l, "{\"type\":\"finding\",\"kind\":");
    line_str(&l, kind);
    line_puts(&l, ",\"message\":");
    line_str(&l, msg);
    line_args(&l, fmt, aq);
    va_end(aq);
    line_stack(&l, pcs, n, exact);
    line_puts(&l, "}");
    line_send(&l);
    atomic_fetch_add(&nfindings, 1);
}

void drv_message_fields(char *buf, size_t n, const char *fmt, va_list ap)
{
    char msg[2048];
    va_list aq;
    va_copy(aq, ap);
    vsnprintf(msg, sizeof msg, fmt, ap);
    line l = {.len = 0};
    line_puts(&l, "\"message\":");
    line_str(&l, msg);
    line_args(&l, fmt, aq);
    va_end(aq);
    snprintf(buf, n, "%.*s", (int)l.len, l.buf);
}

void drv_finding_fields(const char *kind, const char *fields)
{
    void *pcs[MAX_STACK];
    int n = backtrace(pcs, MAX_STACK);
    line l = {.len = 0};
    line_puts(&l, "{\"type\":\"finding\",\"kind\":");
    line_str(&l, kind);
    line_puts(&l, ",");
    line_puts(&l, fields);
    line_stack(&l, pcs + 1, n > 1 ? n - 1 : 0, false);
    line_puts(&l, "}");
    line_send(&l);
    atomic_fetch_add(&nfindings, 1);
}

void drv_finding(const char *kind, const char *fmt, ...)
{
    void *pcs[MAX_STACK];
    int n = backtrace(pcs, MAX_STACK);
    va_list ap;
    va_start(ap, fmt);
    /* skip our own frame */
    finding_send(kind, pcs + 1, n > 1 ? n - 1 : 0, false, fmt, ap);
    va_end(ap);
}

void drv_finding_at(const char *kind, const void *site, const char *fmt, ...)
{
    void *pcs[1] = {(void *)site};
    va_list ap;
    va_start(ap, fmt);
    finding_send(kind, pcs, site ? 1 : 0, false, fmt, ap);
    va_end(ap);
}

void drv_finding_sites(const char *kind, int n, const void *const *sites,
                       const char *const *titles, const char *fmt, ...)
{
    char msg[4096];
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    line l = {.len = 0};
    line_puts(&l, "{\"type\":\"finding\",\"kind\":");
    line_str(&l, kind);
    line_puts(&l, ",\"message\":");
    line_str(&l, msg);
    line_args(&l, fmt, aq);
    va_end(aq);
    line_puts(&l, ",\"stacks\":[");
    for (int i = 0; i < n; i++) {
        line_puts(&l, i ? ",{\"title\":" : "{\"title\":");
        line_str(&l, titles[i]);
        void *pc[1] = {(void *)sites[i]};
        line_stack(&l, pc, sites[i] ? 1 : 0, false);
        line_puts(&l, "}");
    }
    line_puts(&l, "]}");
    line_send(&l);
    atomic_fetch_add(&nfindings, 1);
}

/* The return address of this thread's (mine) or any thread's last wait seen
 * by the stress shim. */
static const void *last_wait(int mine)
{
    typedef void *(*last_fn)(int);
    static _Atomic(last_fn) last;
    static atomic_int looked;
    if (!atomic_load_explicit(&looked, memory_order_relaxed)) {
        atomic_store_explicit(&last, (last_fn)dlsym(RTLD_DEFAULT, "stress_last_wait"),
                              memory_order_relaxed);
        atomic_store_explicit(&looked, 1, memory_order_relaxed);
    }
    last_fn f = atomic_load_explicit(&last, memory_order_relaxed);
    return f ? f(mine) : NULL;
}

void drv_finding_in(const char *kind, const void *fn, const char *fmt, ...)
{
    /* the program's own symbols are not dynamic, so whether the wait lies
     * inside fn is for the grader to tell (the "within" stack) */
    void *pcs[3];
    int n = 0;
    const void *mine = last_wait(1), *any = last_wait(0);
    if (mine) pcs[n++] = (void *)mine;
    if (any && any != mine) pcs[n++] = (void *)any;
    int candidates = n;
    pcs[n++] = (char *)(uintptr_t)fn + 1;
    char msg[2048];
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    line l = {.len = 0};
    line_puts(&l, "{\"type\":\"finding\",\"kind\":");
    line_str(&l, kind);
    line_puts(&l, ",\"message\":");
    line_str(&l, msg);
    line_args(&l, fmt, aq);
    va_end(aq);
    line_stack(&l, pcs, n, false);
    if (candidates) line_printf(&l, ",\"within\":%d", candidates);
    line_puts(&l, "}");
    line_send(&l);
    atomic_fetch_add(&nfindings, 1);
}

int drv_findings(void)
{
    return atomic_load(&nfindings);
}

unsigned long drv_rand(void)
{
    /* xorshift64*: deterministic from GRADER_SEED */
    rand_state ^= rand_state >> 12;
    rand_state ^= rand_state << 25;
    rand_state ^= rand_state >> 27;
    return (unsigned long)(rand_state * 2685821657736338717ULL);
}

long drv_patience_ms(long base_ms)
{
    return base_ms * patience_factor;
}

long drv_arg(int argc, char **argv, int i, long dflt)
{
    return i < argc && argv[i] ? strtol(argv[i], NULL, 0) : dflt;
}

/* --- crashes and early exits -------------------------------------------------------- */

static void on_crash(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    (void)uc;
    void *pcs[MAX_STACK];
    int n = backtrace(pcs, MAX_STACK);
    line l = {.len = 0};
    line_printf(&l, "{\"type\":\"crash\",\"signal\":%d", sig);
    /* frames 0-1 are this handler and the signal trampoline; frame 2 is the
     * faulting instruction itself */
    if (n > 2) line_stack(&l, pcs + 2, n - 2, true);
    line_puts(&l, "}");
    line_send(&l);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void crash_handlers_install(void)
{
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

/* exit() called before the scenario returned: someone (a student thread)
 * ended the whole program early. */
static void on_exit_early(void)
{
    if (atomic_load(&finished) || getpid() != main_pid)
        return; /* a child's exit is its own */
    void *pcs[MAX_STACK];
    int n = backtrace(pcs, MAX_STACK);
    line l = {.len = 0};
    line_puts(&l, "{\"type\":\"finding\",\"kind\":\"wrong-result\",\"message\":");
    line_str(&l,
             "the program exited before the test finished: exit() was called while the "
             "work was still running (return from your function instead)");
    line_stack(&l, pcs + 1, n > 1 ? n - 1 : 0, false);
    line_puts(&l, "}");
    line_send(&l);
}

/* Ends the program now: a finding made going on pointless. Marked as
 * finished first, so on_exit_early does not call it an early exit. */
void drv_exit(int status)
{
    atomic_store(&finished, 1);
    fflush(stdout);
    exit(status);
}

/* --- main ------------------------------------------------------------------------------
 */

static void init_from_env(void)
{
    const char *fd = getenv("GRADER_RESULT_FD");
    if (fd) result_fd = atoi(fd);
    const char *seed = getenv("GRADER_SEED");
    rand_state = seed ? strtoull(seed, NULL, 10) * 0x9E3779B97F4A7C15ULL + 1 : 1;
    const char *p = getenv("GRADER_PATIENCE");
    patience_factor = p && atol(p) > 0 ? atol(p) : 1;
    const char *tool = getenv("GRADER_TOOL");
    if (tool) snprintf(tool_name, sizeof tool_name, "%s", tool);
    main_pid = getpid();
    if (!tool || !strcmp(tool, "native")) crash_handlers_install();
    const char *hold = getenv("GRADER_HOLD_THREADS");
    hold_threads = hold && !strcmp(hold, "1");
    /* the student's code has no business with these */
    unsetenv("GRADER_RESULT_FD");
    unsetenv("GRADER_SEED");
    unsetenv("GRADER_PATIENCE");
    unsetenv("GRADER_TOOL");
    unsetenv("GRADER_TOKEN_FD");
    unsetenv("GRADER_HOLD_THREADS");
}

const char *drv_tool(void)
{
    return tool_name;
}

int drv_result_fd(void)
{
    return result_fd;
}

int drv_main(int argc, char **argv, const drv_scenario *scenarios)
{
    init_from_env();
    line start = {.len = 0};
    line_puts(&start, "{\"type\":\"start\"}");
    line_send(&start);
    if (argc < 2 || !strcmp(argv[1], "--list")) {
        for (const drv_scenario *s = scenarios; s->name; s++)
            printf("%-20s %s\n", s->name, s->about ? s->about : "");
        return argc < 2 ? 64 : 0;
    }
    for (const drv_scenario *s = scenarios; s->name; s++) {
        if (strcmp(s->name, argv[1])) continue;
        scenario_name = s->name;
        atexit(on_exit_early);
        drv_guard_install(tool_name); /* before the first call into student code */
        int rc = s->run(argc - 1, argv + 1);
        atomic_store(&finished, 1);
        line l = {.len = 0};
        line_puts(&l, "{\"type\":\"done\",\"scenario\":");
        line_str(&l, scenario_name);
        line_printf(&l, ",\"status\":%d}", rc);
        line_send(&l);
        fflush(stdout);
        return rc ? rc : drv_findings() ? 1 : 0;
    }
    fprintf(stderr, "driver: no scenario named '%s'\n", argv[1]);
    return 64;
}

/* --- rendezvous
 * ---------------------------------------------------------------------------- */

struct drv_gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n, inside, most;
    long arrivals;
    bool open, broken;
};

drv_gate *drv_gate_new(int n)
{
    drv_gate *g = calloc(1, sizeof *g);
    if (!g) abort();
    pthread_mutex_init(&g->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cv, &ca);
    pthread_condattr_destroy(&ca);
    g->n = n;
    g->open = n <= 0;
    return g;
}

int drv_gate_wait(drv_gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->inside++;
    g->arrivals++;
    if (g->inside > g->most) g->most = g->inside;
    if (g->inside >= g->n && !g->open) {
        g->open = true;
        pthread_cond_broadcast(&g->cv);
    }
    /* Waiters are not woken by each arrival (that costs n^2 wake-ups); each
     * looks at the arrival count when its patience window ends, and the gate
     * breaks only when nobody new came during a whole window. */
    long window = drv_patience_ms(3000);
    while (!g->open) {
        long seen = g->arrivals;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += window / 1000;
        until.tv_nsec += (window % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        int rc = 0;
        while (!g->open && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&g->cv, &g->mu, &until);
        if (!g->open && g->arrivals == seen) {
            /* nobody new came: the calls are not running at the same time */
            g->open = g->broken = true;
            pthread_cond_broadcast(&g->cv);
        }
    }
    int rc = g->broken ? -1 : 0;
    g->inside--;
    pthread_mutex_unlock(&g->mu);
    return rc;
}

int drv_gate_most(drv_gate *g)
{
    pthread_mutex_lock(&g->mu);
    int m = g->most;
    pthread_mutex_unlock(&g->mu);
    return m;
}

bool drv_gate_broken(drv_gate *g)
{
    pthread_mutex_lock(&g->mu);
    bool b = g->broken;
    pthread_mutex_unlock(&g->mu);
    return b;
}

void drv_gate_free(drv_gate *g)
{
    if (!g) return;
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->cv);
    free(g);
}

/* --- thread observer
 * ------------------------------------------------------------------------ */

#define MAX_THREADS 4096

typedef struct tslot {
    _Atomic(pthread_t) id;
    _Atomic(const void *) site;      /* the student's call site */
    _Atomic(const void *) join_site; /* where it was joined */
    atomic_long join_seq;            /* the event number of its join */
    atomic_long create_seq;          /* the event number of its creation */
    atomic_int state;                /* 1 created, 2 joined, 3 detached */
} tslot;

static tslot tslots[MAX_THREADS];
static atomic_long ntslots, tfailed, tfail_at, tcalls, tevents;

void drv_threads_reset(void)
{
    atomic_store_explicit(&ntslots, 0, memory_order_relaxed);
    atomic_store_explicit(&tfailed, 0, memory_order_relaxed);
    atomic_store_explicit(&tcalls, 0, memory_order_relaxed);
    atomic_store_explicit(&tevents, 0, memory_order_relaxed);
}

void drv_threads_fail_at(long k)
{
    atomic_store_explicit(&tfail_at, k, memory_order_relaxed);
}

static tslot *tslot_find(pthread_t t)
{
    long n = atomic_load_explicit(&ntslots, memory_order_relaxed);
    if (n > MAX_THREADS) n = MAX_THREADS;
    for (long i = n - 1; i >= 0; i--)
        if (atomic_load_explicit(&tslots[i].state, memory_order_relaxed) &&
            pthread_equal(atomic_load_explicit(&tslots[i].id, memory_order_relaxed), t))
            return &tslots[i];
    return NULL;
}

static void site_hint(const void *site);

/* --- held starts
 * ---------------------------------------------------------------------------- */

/* Under a tool that asks for it (GRADER_HOLD_THREADS=1, AddressSanitizer's
 * runs), a new thread does not start the student's function until its
 * creator has moved on: made its next thread call (pthread_create,
 * pthread_join, pthread_detach) or gone to sleep (a lock, a semaphore, a
 * condition, a read). A thread that uses a frame of the function that created
 * it after that function returned then does so on every run, and ASan
 * reports it every time; a creator that waits for its new thread (a
 * handshake) lets it start at once. */
#define MAX_HELD 4096

typedef struct held {
    void *(*fn)(void *);
    void *arg;
    pid_t creator; /* kernel id of the creating thread */
    atomic_int go;
} held;

static held helds[MAX_HELD];
static atomic_long nheld;
static _Thread_local held *last_held; /* the thread this one created last, still held */

static void held_release(void)
{
    if (last_held) atomic_store_explicit(&last_held->go, 1, memory_order_release);
    last_held = NULL;
}

static bool held_may_go(void *arg)
{
    held *h = arg;
    return atomic_load_explicit(&h->go, memory_order_acquire) ||
           drv_sync_state(h->creator) != DRV_T_RUNNING;
}

static void *held_start(void *arg)
{
    held *h = arg;
    drv_sync_until(held_may_go, h, 10000);
    return h->fn(h->arg);
}

/* A held start for fn(arg), or NULL (no hold asked, or no room left). */
static held *held_new(void *(*fn)(void *), void *arg)
{
    if (!hold_threads) return NULL;
    long i = atomic_fetch_add_explicit(&nheld, 1, memory_order_relaxed);
    if (i >= MAX_HELD) return NULL;
    helds[i] = (held){.fn = fn, .arg = arg, .creator = (pid_t)syscall(SYS_gettid)};
    return &helds[i];
}

int drv_wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *),
                            void *arg)
{
    const void *site = __builtin_return_address(0);
    if (drv_forbid_check("pthread_create", DRV_MSG("a thread"), site)) return EPERM;
    long call = atomic_fetch_add_explicit(&tcalls, 1, memory_order_relaxed) + 1;
    if (call == atomic_load_explicit(&tfail_at, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&tfailed, 1, memory_order_relaxed);
        return EAGAIN;
    }
    held_release();
    held *h = held_new(fn, arg);
    site_hint(site);
    int rc = h ? pthread_create(t, a, held_start, h) : pthread_create(t, a, fn, arg);
    if (rc == 0 && h) last_held = h;
    if (rc) {
        atomic_fetch_add_explicit(&tfailed, 1, memory_order_relaxed);
        return rc;
    }
    long i = atomic_fetch_add_explicit(&ntslots, 1, memory_order_relaxed);
    if (i < MAX_THREADS) {
        atomic_store_explicit(&tslots[i].id, *t, memory_order_relaxed);
        atomic_store_explicit(&tslots[i].site, site, memory_order_relaxed);
        atomic_store_explicit(&tslots[i].join_seq, 0, memory_order_relaxed);
        atomic_store_explicit(
            &tslots[i].create_seq,
            atomic_fetch_add_explicit(&tevents, 1, memory_order_relaxed) + 1,
            memory_order_relaxed);
        int detached = 0;
        if (a) pthread_attr_getdetachstate(a, &detached);
        atomic_store_explicit(&tslots[i].state,
                              detached == PTHREAD_CREATE_DETACHED ? 3 : 1,
                              memory_order_relaxed);
    }
    return 0;
}

/* Tells the stress shim, when it is loaded, that the next call it sees is
 * the student's call at site (not this observer's). */
static void site_hint(const void *site)
{
    typedef void (*hint_fn)(void *);
    static _Atomic(hint_fn) hint;
    static atomic_int looked;
    if (!atomic_load_explicit(&looked, memory_order_relaxed)) {
        atomic_store_explicit(&hint, (hint_fn)dlsym(RTLD_DEFAULT, "stress_site_hint"),
                              memory_order_relaxed);
        atomic_store_explicit(&looked, 1, memory_order_relaxed);
    }
    hint_fn h = atomic_load_explicit(&hint, memory_order_relaxed);
    if (h) h((void *)site);
}

static void mark(pthread_t t, int state, const void *site)
{
    tslot *s = tslot_find(t);
    if (!s) return;
    atomic_store_explicit(&s->state, state, memory_order_relaxed);
    atomic_store_explicit(&s->join_site, site, memory_order_relaxed);
    atomic_store_explicit(
        &s->join_seq, atomic_fetch_add_explicit(&tevents, 1, memory_order_relaxed) + 1,
        memory_order_relaxed);
}

int drv_wrap_pthread_join(pthread_t t, void **ret)
{
    held_release();
    site_hint(__builtin_return_address(0));
    int rc = pthread_join(t, ret);
    if (rc == 0) mark(t, 2, __builtin_return_address(0));
    return rc;
}

int drv_wrap_pthread_tryjoin_np(pthread_t t, void **ret)
{
    held_release();
    site_hint(__builtin_return_address(0));
    int rc = pthread_tryjoin_np(t, ret);
    if (rc == 0) mark(t, 2, __builtin_return_address(0));
    return rc;
}

int drv_wrap_pthread_timedjoin_np(pthread_t t, void **ret, const struct timespec *abs)
{
    held_release();
    site_hint(__builtin_return_address(0));
    int rc = pthread_timedjoin_np(t, ret, abs);
    if (rc == 0) mark(t, 2, __builtin_return_address(0));
    return rc;
}

int drv_wrap_pthread_detach(pthread_t t)
{
    held_release();
    site_hint(__builtin_return_address(0));
    int rc = pthread_detach(t);
    if (rc == 0) mark(t, 3, __builtin_return_address(0));
    return rc;
}

const void *drv_threads_early_join(void)
{
    long n = atomic_load_explicit(&ntslots, memory_order_relaxed);
    if (n > MAX_THREADS) n = MAX_THREADS;
    /* a join is early when a thread of a later slot was created after it */
    for (long i = 0; i < n; i++) {
        long js = atomic_load_explicit(&tslots[i].join_seq, memory_order_relaxed);
        if (atomic_load_explicit(&tslots[i].state, memory_order_relaxed) != 2 || !js)
            continue;
        for (long j = i + 1; j < n; j++)
            if (atomic_load_explicit(&tslots[j].create_seq, memory_order_relaxed) > js)
                return atomic_load_explicit(&tslots[i].join_site, memory_order_relaxed);
    }
    return NULL;
}

const void *drv_threads_create_site(void)
{
    long n = atomic_load_explicit(&ntslots, memory_order_relaxed);
    return n > 0 ? atomic_load_explicit(&tslots[0].site, memory_order_relaxed) : NULL;
}

drv_thread_stats drv_threads_stats(void)
{
    drv_thread_stats s = {0};
    long n = atomic_load_explicit(&ntslots, memory_order_relaxed);
    s.created = n;
    s.failed = atomic_load_explicit(&tfailed, memory_order_relaxed);
    if (n > MAX_THREADS) n = MAX_THREADS;
    for (long i = 0; i < n; i++) {
        int st = atomic_load_explicit(&tslots[i].state, memory_order_relaxed);
        if (st == 2)
            s.joined++;
        else if (st == 3)
            s.detached++;
        else
            s.unjoined++;
    }
    return s;
}

int drv_threads_check_joined(const char *when)
{
    long n = atomic_load_explicit(&ntslots, memory_order_relaxed);
    if (n > MAX_THREADS) n = MAX_THREADS;
    long leaks = 0, detached = 0;
    const void *leak_site = NULL, *detach_site = NULL;
    for (long i = 0; i < n; i++) {
        int st = atomic_load_explicit(&tslots[i].state, memory_order_relaxed);
        const void *site = atomic_load_explicit(&tslots[i].site, memory_order_relaxed);
        if (st == 1 && !leaks++) leak_site = site;
        if (st == 3 && !detached++) detach_site = site;
    }
    if (leaks)
        drv_finding_at(
            "thread-leak", leak_site,
            leaks == 1
                ? DRV_MSG("%ld of the %ld threads created here was not joined %s")
                : DRV_MSG("%ld of the %ld threads created here were not joined %s"),
            leaks, n, when);
    if (detached)
        drv_finding_at(
            "thread-leak", detach_site,
            detached == 1
                ? DRV_MSG("%ld of the %ld threads created here was detached: a detached "
                          "thread cannot be joined, so nothing waits for it %s")
                : DRV_MSG("%ld of the %ld threads created here were detached: a detached "
                          "thread cannot be joined, so nothing waits for it %s"),
            detached, n, when);
    return (int)(leaks + detached);
}

int drv_threads_live(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

/* --- process observer
 * ------------------------------------------------------------------------ */

static atomic_long pforked, pfailed, preaped, pfail_at, pcalls;

void drv_procs_reset(void)
{
    atomic_store(&pforked, 0);
    atomic_store(&pfailed, 0);
    atomic_store(&preaped, 0);
    atomic_store(&pcalls, 0);
    drv_proc_forget();
}

void drv_procs_fail_at(long k)
{
    atomic_store(&pfail_at, k);
}

drv_proc_stats drv_procs_stats(void)
{
    return (drv_proc_stats){atomic_load(&pforked), atomic_load(&pfailed),
                            atomic_load(&preaped)};
}

pid_t drv_wrap_fork(void)
{
    const void *site = __builtin_return_address(0);
    if (drv_forbid_check("fork", DRV_MSG("a process"), site)) {
        errno = EPERM;
        return -1;
    }
    long call = atomic_fetch_add(&pcalls, 1) + 1;
    if (call == atomic_load(&pfail_at)) {
        atomic_fetch_add(&pfailed, 1);
        errno = EAGAIN;
        return -1;
    }
    site_hint(site);
    pid_t p = fork();
    drv_proc_forked(p, site);
    if (p > 0)
        atomic_fetch_add(&pforked, 1);
    else if (p < 0)
        atomic_fetch_add(&pfailed, 1);
    return p;
}

pid_t drv_wrap_waitpid(pid_t pid, int *status, int options)
{
    drv_proc_waiting(pid, options, __builtin_return_address(0));
    pid_t r = waitpid(pid, status, options);
    drv_proc_waited(r, __builtin_return_address(0));
    if (r > 0) atomic_fetch_add(&preaped, 1);
    return r;
}

pid_t drv_wrap_wait(int *status)
{
    drv_proc_waiting(-1, 0, __builtin_return_address(0));
    pid_t r = wait(status);
    drv_proc_waited(r, __builtin_return_address(0));
    if (r > 0) atomic_fetch_add(&preaped, 1);
    return r;
}
