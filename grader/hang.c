/* hang.c - see hang.h. */
#include "hang.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FUTEX_CMD_MASK_ 0x7f /* without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME */

/* What a system call a task sleeps in means for a hang. */
typedef enum wait_kind {
    WAIT_OTHER,   /* may end by itself or from outside: the task is alive */
    WAIT_FUTEX,   /* ends only if another thread wakes it (when untimed) */
    WAIT_FOREVER, /* ends only on a child's exit or a signal from the tree */
    WAIT_SLEEP,   /* a timer: ends by itself */
    WAIT_READ,    /* a read: on a pipe only the tree writes to, like a futex */
} wait_kind;

static const struct {
    long nr;
    wait_kind kind;
} waits[] = {
    {SYS_futex, WAIT_FUTEX},
#ifdef SYS_wait4
    {SYS_wait4, WAIT_FOREVER},
#endif
    {SYS_waitid, WAIT_FOREVER},
#ifdef SYS_pause
    {SYS_pause, WAIT_FOREVER},
#endif
    {SYS_rt_sigsuspend, WAIT_FOREVER},
#ifdef SYS_nanosleep
    {SYS_nanosleep, WAIT_SLEEP},
#endif
    {SYS_clock_nanosleep, WAIT_SLEEP}, {SYS_read, WAIT_READ}, {SYS_readv, WAIT_READ},
};

static wait_kind wait_of(long nr)
{
    for (size_t i = 0; i < ARRAY_LEN(waits); i++)
        if (waits[i].nr == nr) return waits[i].kind;
    return WAIT_OTHER;
}

/* A small /proc file of the task into buf; its length, or -1. */
static ssize_t task_read(pid_t pid, pid_t tid, const char *name, char *buf, size_t cap)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    ssize_t r = read(fd, buf, cap - 1);
    close(fd);
    if (r < 0) return -1;
    buf[r] = 0;
    return r;
}

/* Whether address pc lies in the program's own executable (not the C
 * library): a system call the tool's runtime makes itself. */
static bool pc_in_exe(pid_t pid, unsigned long pc)
{
    char path[64], exe[4096];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t k = readlink(path, exe, sizeof exe - 1);
    if (k <= 0) return false;
    exe[k] = 0;
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f) return false;
    char line[4608];
    bool in = false;
    while (!in && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        int off = 0;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) < 2 || !off)
            continue;
        char *name = line + off;
        name[strcspn(name, "\n")] = 0;
        in = pc >= lo && pc < hi && !strcmp(name, exe);
    }
    fclose(f);
    return in;
}

/* Whether fd of pid is a pipe that no descriptor of ours (the grader's: the
 * program's stdin, its output) refers to: only the run's own processes can
 * write to it. A tool's helper (TSan's symbolizer) reads such a pipe. */
static bool pipe_of_tree(pid_t pid, unsigned long fd)
{
    char path[300], what[128], mine[128];
    snprintf(path, sizeof path, "/proc/%d/fd/%lu", (int)pid, fd);
    ssize_t k = readlink(path, what, sizeof what - 1);
    if (k <= 0) return false;
    what[k] = 0;
    if (strncmp(what, "pipe:", 5)) return false;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return false;
    bool ours = false;
    struct dirent *e;
    while (!ours && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        k = readlink(path, mine, sizeof mine - 1);
        ours = k > 0 && (mine[k] = 0, !strcmp(mine, what));
    }
    closedir(d);
    return !ours;
}

/* 1 parked, 0 alive, 2 a runtime's own timed sleeper (not counted). */
static int task_state(pid_t pid, pid_t tid, uint64_t *cpu_ns, uint64_t *sig)
{
    char buf[512];
    if (task_read(pid, tid, "stat", buf, sizeof buf) <= 0) return 0;
    char *paren = strrchr(buf, ')');
    if (!paren || !paren[1] || !paren[2]) return 0;
    char state = paren[2];
    *cpu_ns = 0;
    *sig = hash_mix((uint64_t)tid);
    if (state == 'Z' || state == 'X') return 1; /* an exited thread does nothing more */
    if (state != 'S') return 0;
    if (task_read(pid, tid, "schedstat", buf, sizeof buf) <= 0) return 0;
    *cpu_ns = strtoull(buf, NULL, 10);
    if (task_read(pid, tid, "syscall", buf, sizeof buf) <= 0) return 0;
    unsigned long a[9] = {0};
    long nr;
    if (sscanf(buf, "%ld %lx %lx %lx %lx %lx %lx %lx %lx", &nr, &a[0], &a[1], &a[2],
               &a[3], &a[4], &a[5], &a[6], &a[7]) != 9)
        return 0; /* running, or not in a system call */
    *sig = hash_str(*sig, buf);
    switch (wait_of(nr)) {
    case WAIT_FUTEX: {
        int cmd = (int)(a[1] & FUTEX_CMD_MASK_);
        bool blocks = cmd == 0 /* WAIT */ || cmd == 9 /* WAIT_BITSET */ ||
                      cmd == 6 /* LOCK_PI */ || cmd == 11 /* WAIT_REQUEUE_PI */ ||
                      cmd == 13 /* LOCK_PI2 */;
        return blocks && a[3] == 0; /* no timeout */
    }
    case WAIT_FOREVER:
        return 1;
    case WAIT_SLEEP:
        return pc_in_exe(pid, a[7]) ? 2 : 0;
    case WAIT_READ:
        return pipe_of_tree(pid, a[0]);
    default:
        return 0;
    }
}

bool hang_task_parked(pid_t pid, pid_t tid, uint64_t *cpu_ns, uint64_t *sig)
{
    return task_state(pid, tid, cpu_ns, sig) != 0;
}

/* Folds every task of pid into *h; false as soon as one is alive. */
static bool process_parked(pid_t pid, uint64_t *h)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d) return false;
    bool parked = true;
    size_t tasks = 0;
    struct dirent *e;
    while (parked && (e = readdir(d))) {
        pid_t tid = (pid_t)atoi(e->d_name);
        if (tid <= 0) continue;
        uint64_t cpu, sig;
        int s = task_state(pid, tid, &cpu, &sig);
        parked = s != 0;
        tasks++;
        if (s == 1) *h = hash_mix(*h ^ sig) + cpu;
    }
    closedir(d);
    return parked && tasks > 0;
}

bool hang_watch_due(const hang_watch *w, int64_t now)
{
    return now >= w->next;
}

bool hang_watch_sample(hang_watch *w, const pid_t *pids, size_t n, int64_t now)
{
    if (!hang_watch_due(w, now)) return false;
    w->next = now + HANG_SAMPLE_MS;
    uint64_t h = 0x6a09e667f3bcc908ull;
    bool parked = n > 0;
    for (size_t i = 0; i < n && parked; i++) {
        parked = process_parked(pids[i], &h);
        h = hash_mix(h ^ (uint64_t)pids[i]);
    }
    if (!parked || !w->since || h != w->state) {
        /* alive, or a new state: it must hold from now on */
        w->state = h;
        w->since = parked ? now : 0;
        w->samples = parked ? 1 : 0;
        return false;
    }
    w->samples++;
    return now - w->since >= HANG_AFTER_MS && w->samples > HANG_AFTER_MS / HANG_SAMPLE_MS;
}
