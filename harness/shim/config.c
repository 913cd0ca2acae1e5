/* Configuration from the environment and the life cycle of the shim in one
 * process: activation in the constructor, the start line, the end line at
 * exit and the fork handlers.
 *
 * The shim activates only when STRESS_MODE names a mode, STRESS_OUT names a
 * file that can be opened and, if STRESS_EXE is set, /proc/self/exe is that
 * executable. Otherwise every interposed function just forwards.
 */
#include "shim.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>

struct config cfg;
int shim_active;
int shim_tsan;
static char self_exe[4096];
static int ended;

static int cfg_mode(const char *s)
{
    if (!s || !*s) return MODE_OFF;
    if (sys_streq(s, "random")) return MODE_RANDOM;
    if (sys_streq(s, "pct")) return MODE_PCT;
    if (sys_streq(s, "observe")) return MODE_OBSERVE;
    return MODE_OFF;
}

/* Parses a decimal unsigned number; returns def when s is unset, empty or
 * not a number. */
static uint64_t cfg_u64(const char *name, uint64_t def)
{
    const char *s = getenv(name);
    if (!s || !*s) return def;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return def;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

static long cfg_clamp(uint64_t v, long lo, long hi)
{
    if (v < (uint64_t)lo) return lo;
    if (v > (uint64_t)hi) return hi;
    return (long)v;
}

/* Reads every STRESS_* variable into cfg; returns 1 if a mode and an output
 * file are configured. */
static int cfg_read(void)
{
    cfg.mode = cfg_mode(getenv("STRESS_MODE"));
    const char *out = getenv("STRESS_OUT");
    if (cfg.mode == MODE_OFF || !out || !*out) return 0;
    sys_strcpy(cfg.out, out, sizeof cfg.out);
    const char *exe = getenv("STRESS_EXE");
    sys_strcpy(cfg.exe, exe ? exe : "", sizeof cfg.exe);
    cfg.seed = cfg_u64("STRESS_SEED", 1);
    cfg.depth = (int)cfg_clamp(cfg_u64("STRESS_DEPTH", 3), 1, MAX_DEPTH);
    cfg.steps = cfg_clamp(cfg_u64("STRESS_STEPS", 2000), 1, 1L << 40);
    cfg.prob = (int)cfg_clamp(cfg_u64("STRESS_PROB", 20), 0, 100);
    cfg.slice_ms = cfg_clamp(cfg_u64("STRESS_SLICE_MS", 20), 1, 60000);
    cfg.trace = cfg_u64("STRESS_TRACE", 0) == 1;
    cfg.fail_create = cfg_clamp(cfg_u64("STRESS_FAIL_CREATE", 0), 0, 1L << 40);
    cfg.fail_fork = cfg_clamp(cfg_u64("STRESS_FAIL_FORK", 0), 0, 1L << 40);
    cfg.stall_exit = (int)cfg_clamp(cfg_u64("STRESS_STALL_EXIT", 86), 0, 255);
    cfg.one_process = cfg_u64("STRESS_ONE_PROCESS", 0) == 1;
    return 1;
}

/* Returns 1 if this process is the executable STRESS_EXE names (or no
 * executable is named). Fills self_exe. */
static int cfg_exe_matches(void)
{
    long n = sys_call(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/exe", (long)self_exe,
                      sizeof self_exe - 1, 0, 0);
    self_exe[n > 0 ? n : 0] = 0;
    if (!cfg.exe[0]) return 1;
    if (sys_streq(cfg.exe, self_exe)) return 1;
    char resolved[4096];
    if (real.realpath && real.realpath(cfg.exe, resolved))
        return sys_streq(resolved, self_exe);
    return 0;
}

const char *cfg_self_exe(void)
{
    return self_exe;
}

static const char *cfg_mode_name(void)
{
    static const char *names[] = {"off", "random", "pct", "observe"};
    return names[cfg.mode];
}

/* Writes the start line of this process. Caller holds the global lock. */
void cfg_write_start(uint64_t seed)
{
    char mem[8192];
    struct jb b;
    jb_init(&b, mem, sizeof mem);
    jb_head(&b, "start");
    jb_puts(&b, ",\"ppid\":");
    jb_i64(&b, sys_getppid());
    jb_puts(&b, ",\"mode\":");
    jb_str(&b, cfg_mode_name());
    jb_puts(&b, ",\"seed\":");
    jb_u64(&b, seed);
    jb_puts(&b, ",\"depth\":");
    jb_i64(&b, cfg.depth);
    jb_puts(&b, ",\"steps\":");
    jb_i64(&b, cfg.steps);
    jb_puts(&b, ",\"prob\":");
    jb_i64(&b, cfg.prob);
    jb_puts(&b, ",\"slice_ms\":");
    jb_i64(&b, cfg.slice_ms);
    jb_puts(&b, ",\"trace\":");
    jb_puts(&b, cfg.trace ? "true" : "false");
    jb_puts(&b, ",\"tsan\":");
    jb_puts(&b, shim_tsan ? "true" : "false");
    jb_puts(&b, ",\"fork_index\":");
    jb_i64(&b, g.fork_index);
    jb_puts(&b, ",\"exe\":");
    jb_str(&b, self_exe);
    jb_putc(&b, '}');
    out_line(&b, 1);
}

/* Writes the end line: the ring buffer first when the status is not 0.
 * Caller holds the global lock. Only the first call writes. */
void cfg_write_end(int status, const char *reason)
{
    if (ended) return;
    ended = 1;
    if (status != 0) out_dump_ring();
    char mem[512];
    struct jb b;
    jb_init(&b, mem, sizeof mem);
    jb_head(&b, "end");
    jb_puts(&b, ",\"steps\":");
    jb_u64(&b, sched_total_steps());
    jb_puts(&b, ",\"points\":");
    jb_u64(&b, g.points);
    jb_puts(&b, ",\"status\":");
    jb_i64(&b, status);
    jb_puts(&b, ",\"reason\":");
    jb_str(&b, reason);
    jb_putc(&b, '}');
    out_line(&b, 1);
}

void cfg_reset_after_fork(void)
{
    ended = 0;
}

static void cfg_on_exit(int status, void *arg)
{
    (void)arg;
    if (!shim_active || sys_getpid() != g.pid) return;
    sys_lock();
    cfg_write_end(status, "exit");
    sys_unlock();
}

void fork_prepare(void);
void fork_parent(void);
void fork_child(void);
extern int __register_atfork(void (*)(void), void (*)(void), void (*)(void), void *);
extern void *__dso_handle;

/* Activates the shim in this process if the environment asks for it. Runs
 * before the program's own constructors, on the main thread. */
__attribute__((constructor)) static void cfg_start(void)
{
    real_init();
    if (!cfg_read() || !cfg_exe_matches()) return;
    shim_tsan = dlsym(RTLD_DEFAULT, "__tsan_init") != NULL;
    g.pid = sys_getpid();
    if (out_open() != 0) return;
    stk_init();
    sched_init_main();
    if (real.on_exit) real.on_exit(cfg_on_exit, NULL);
    __register_atfork(fork_prepare, fork_parent, fork_child, __dso_handle);
    sys_lock();
    cfg_write_start(cfg.seed);
    sys_unlock();
    shim_active = 1;
}
