/* grader_proc.c - see grader_proc.h.
 *
 * State:
 *  - per process (static; a forked child starts from a copy): the table of
 *    the student's children (pid, fork site), the locks the student
 *    initialised, the pipes it created (when no shared area exists);
 *  - the shared area (MAP_SHARED, made by the scenario's process before any
 *    child exists): a progress counter, one slot per watched process (what it
 *    is blocked in, where), where every pipe was created (by inode).
 * The wrappers keep their bookkeeping with relaxed atomics only: they create
 * no happens-before edge between the student's threads, so ThreadSanitizer
 * still sees their races. Nothing here starts a thread. */
#include "grader_proc.h"
#include "grader_driver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RLX         memory_order_relaxed
#define LOAD(x)     atomic_load_explicit(&(x), RLX)
#define STORE(x, v) atomic_store_explicit(&(x), (v), RLX)
#define ADD(x, v)   atomic_fetch_add_explicit(&(x), (v), RLX)

#define NSLOTS     256  /* watched processes at once */
#define NPIPES     512  /* pipe creation sites remembered */
#define MAX_KIDS   1024 /* children of one process remembered */
#define MAX_LOCKS  256
#define WINDOW_MS  1500 /* no progress this long (scaled): stuck */
#define TICK_MS    50
#define STUCK_EXIT 3 /* exit status of a process the watchdog stopped */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void max_store(atomic_int *x, int v)
{
    int cur = LOAD(*x);
    while (v > cur && !atomic_compare_exchange_weak_explicit(x, &cur, v, RLX, RLX)) {
    }
}

/* --- shared memory --------------------------------------------------------------- */

void *drv_shared_new(size_t size)
{
    void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) abort();
    return p;
}

void drv_shared_free(void *p, size_t size)
{
    if (p) munmap(p, size ? size : 1);
}

/* The /proc/self/maps line holding addr: its permissions and path ("" for
 * anonymous memory). False when no mapping holds it. */
static bool maps_find(uintptr_t addr, char perms[5], char *path, size_t plen)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f) return false;
    char line[600];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        int off = 0;
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &lo, &hi, perms, &off) < 3)
            continue;
        if (addr < lo || addr >= hi) continue;
        found = true;
        snprintf(path, plen, "%s", off > 0 ? line + off : "");
        path[strcspn(path, "\n")] = 0;
    }
    fclose(f);
    return found;
}

extern char __data_start[], _end[]; /* the program's own variables */

bool drv_mem_shared(const void *p, char *what, size_t len)
{
    char perms[5] = "", path[512] = "", tmp[8];
    if (!what) what = tmp, len = sizeof tmp;
    uintptr_t a = (uintptr_t)p;
    bool found = maps_find(a, perms, path, sizeof path);
    bool shared = found && perms[3] == 's';
    if (shared)
        snprintf(what, len, "shared memory");
    else if (a >= (uintptr_t)__data_start && a < (uintptr_t)_end)
        snprintf(what, len, "a global or static variable");
    else if (!strcmp(path, "[heap]"))
        snprintf(what, len, "the heap (memory from malloc)");
    else if (!strncmp(path, "[stack", 6))
        snprintf(what, len, "a stack (a local variable)");
    else if (!found)
        snprintf(what, len, "no memory at all");
    else
        snprintf(what, len, "private memory (malloc, or mmap without MAP_SHARED)");
    return shared;
}

/* --- the shared area: watched processes, progress, pipes -------------------------- */

enum { OP_NONE, OP_READ, OP_WRITE, OP_POLL, OP_WAIT, OP_GATE };

typedef struct pslot {
    atomic_int pid;    /* 0: free */
    atomic_int index;  /* 0: the scenario's process; k: its k-th child */
    atomic_int parent; /* slot of the parent, -1 for the root */
    atomic_int op, fd;
    atomic_long arg;
    _Atomic(const void *) site; /* the blocking call */
    _Atomic(const void *) doing_site;
    _Atomic(const char *)
        doing; /* string literals (the watchdog is a fork: same addresses) */
    _Atomic(const char *) doing_kind;
    char label[32]; /* the driver's name for its own child, or "" */
} pslot;

typedef struct pipe_note {
    atomic_ulong ino;
    _Atomic(const void *) site;
} pipe_note;

typedef struct area {
    atomic_long heartbeat;
    atomic_int armed, watcher, root;
    atomic_int threaded_forks; /* children forked while their parent had other threads */
    atomic_uint next_pipe;
    long window_ms;
    pslot slots[NSLOTS];
    pipe_note pipes[NPIPES];
} area;

static area *A; /* NULL until the driver needs it */
static _Atomic(pslot *) my_slot_cache;
static atomic_int my_slot_pid;
static pipe_note local_pipes[NPIPES];
static atomic_uint local_next_pipe;

void drv_progress(void)
{
    if (A) ADD(A->heartbeat, 1);
}

static bool pid_gone(pid_t pid)
{
    return pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH);
}

/* The state letter of /proc/PID/stat (R, S, D, Z, T...), or 0 if gone. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0) return 0;
    buf[r] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

/* Claims a free slot (or one of a process that is gone) for pid. */
static pslot *slot_claim(pid_t pid, int parent, int index, const char *label)
{
    for (int i = 0; A && i < NSLOTS; i++) {
        pslot *s = &A->slots[i];
        int old = LOAD(s->pid);
        if (old && !pid_gone(old) && proc_state(old) != 'Z') continue;
        if (!atomic_compare_exchange_strong(&s->pid, &old, pid)) continue;
        STORE(s->index, index);
        STORE(s->parent, parent);
        STORE(s->op, OP_NONE);
        STORE(s->doing, NULL);
        STORE(s->doing_kind, NULL);
        snprintf(s->label, sizeof s->label, "%s", label ? label : "");
        STORE(my_slot_cache, s);
        STORE(my_slot_pid, pid);
        return s;
    }
    STORE(my_slot_cache, NULL); /* no room: this process is not watched */
    STORE(my_slot_pid, pid);
    return NULL;
}

/* This process's slot, claimed on first use; NULL without a shared area. */
static pslot *my_slot(void)
{
    if (!A) return NULL;
    pid_t me = getpid();
    if (LOAD(my_slot_pid) == me) return LOAD(my_slot_cache);
    for (int i = 0; i < NSLOTS; i++)
        if (LOAD(A->slots[i].pid) == me) {
            STORE(my_slot_cache, &A->slots[i]);
            STORE(my_slot_pid, me);
            return &A->slots[i];
        }
    return slot_claim(me, -1, -1, NULL); /* forked by other means */
}

static int slot_index(const pslot *s)
{
    return s ? (int)(s - A->slots) : -1;
}

static area *area_get(void)
{
    if (A) return A;
    A = drv_shared_new(sizeof *A);
    A->window_ms = drv_patience_ms(WINDOW_MS);
    STORE(A->root, getpid());
    slot_claim(getpid(), -1, 0, NULL);
    return A;
}

/* Records that this process is about to block in op (errno is kept). */
static pslot *op_begin(int op, int fd, long arg, const void *site)
{
    int e = errno;
    pslot *s = my_slot();
    if (s) {
        STORE(s->fd, fd);
        STORE(s->arg, arg);
        STORE(s->site, site);
        STORE(s->op, op);
    }
    errno = e;
    return s;
}

static void op_end(pslot *s, bool progress)
{
    if (progress) drv_progress();
    if (s) STORE(s->op, OP_NONE);
}

static void pipe_note_add(unsigned long ino, const void *site)
{
    pipe_note *t = A ? A->pipes : local_pipes;
    unsigned i = ADD(*(A ? &A->next_pipe : &local_next_pipe), 1) % NPIPES;
    STORE(t[i].site, site);
    STORE(t[i].ino, ino);
}

/* Where the pipe with this inode was created, or NULL. */
static const void *pipe_site(unsigned long ino)
{
    pipe_note *tables[2] = {A ? A->pipes : NULL, local_pipes};
    for (int k = 0; k < 2; k++)
        for (int i = 0; tables[k] && i < NPIPES; i++)
            if (LOAD(tables[k][i].ino) == ino) return LOAD(tables[k][i].site);
    return NULL;
}

static void pipe_noted(const int fds[2], const void *site)
{
    int e = errno;
    struct stat st;
    if (fstat(fds[0], &st) == 0) pipe_note_add((unsigned long)st.st_ino, site);
    errno = e;
}

/* --- wrappers: the student's calls are renamed to these (redefine.syms) ------------ */

ssize_t drv_wrap_read(int fd, void *buf, size_t n)
{
    pslot *s = op_begin(OP_READ, fd, 0, __builtin_return_address(0));
    ssize_t r = read(fd, buf, n);
    op_end(s, r > 0);
    return r;
}

ssize_t drv_wrap_write(int fd, const void *buf, size_t n)
{
    pslot *s = op_begin(OP_WRITE, fd, 0, __builtin_return_address(0));
    ssize_t r = write(fd, buf, n);
    op_end(s, r > 0);
    return r;
}

int drv_wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    pslot *s =
        op_begin(OP_POLL, n ? fds[0].fd : -1, (long)n, __builtin_return_address(0));
    int r = poll(fds, n, timeout);
    op_end(s, r > 0);
    return r;
}

/* With _FORTIFY_SOURCE (the default of some compilers) read and poll with a
 * buffer of known size become these. */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);

ssize_t drv_wrap___read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    pslot *s = op_begin(OP_READ, fd, 0, __builtin_return_address(0));
    ssize_t r = __read_chk(fd, buf, n, buflen);
    op_end(s, r > 0);
    return r;
}

int drv_wrap___poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
    pslot *s =
        op_begin(OP_POLL, n ? fds[0].fd : -1, (long)n, __builtin_return_address(0));
    int r = __poll_chk(fds, n, timeout, fdslen);
    op_end(s, r > 0);
    return r;
}

int drv_wrap_pipe(int fds[2])
{
    int r = pipe(fds);
    if (r == 0) pipe_noted(fds, __builtin_return_address(0));
    return r;
}

int drv_wrap_pipe2(int fds[2], int flags)
{
    int r = pipe2(fds, flags);
    if (r == 0) pipe_noted(fds, __builtin_return_address(0));
    return r;
}

/* --- the driver's own I/O -------------------------------------------------------------
 */

ssize_t drv_read(int fd, void *buf, size_t n)
{
    pslot *s = op_begin(OP_READ, fd, 0, __builtin_return_address(0));
    ssize_t r;
    while ((r = read(fd, buf, n)) < 0 && errno == EINTR) {
    }
    op_end(s, r > 0);
    return r;
}

int drv_write_all(int fd, const void *buf, size_t n)
{
    pslot *s = op_begin(OP_WRITE, fd, 0, __builtin_return_address(0));
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        p += w;
        n -= (size_t)w;
        drv_progress();
    }
    op_end(s, false);
    return n ? -1 : 0;
}

pid_t drv_waitpid(pid_t pid, int *status)
{
    pslot *s = op_begin(OP_WAIT, -1, pid, __builtin_return_address(0));
    pid_t r;
    while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR) {
    }
    op_end(s, r > 0);
    return r;
}

void drv_doing(const char *kind, const char *what)
{
    pslot *s = my_slot();
    if (!s) return;
    STORE(s->doing_site, what ? __builtin_return_address(0) : NULL);
    STORE(s->doing_kind, kind);
    STORE(s->doing, what);
}

/* --- a rendezvous for processes
 * --------------------------------------------------------- */

struct drv_pgate {
    atomic_uint seq; /* futex word: changes at every arrival and when the gate opens */
    atomic_int inside, most, open, broken;
    int n;
    long patience_ms;
};

drv_pgate *drv_pgate_new(int n, long patience_ms)
{
    area_get();
    drv_pgate *g = drv_shared_new(sizeof *g);
    g->n = n;
    g->patience_ms = drv_patience_ms(patience_ms > 0 ? patience_ms : 3000);
    atomic_store(&g->open, n <= 0);
    return g;
}

static void futex_wake_all(atomic_uint *w)
{
    syscall(SYS_futex, (unsigned *)w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Waits while *w == val, until the absolute CLOCK_MONOTONIC time `until`.
 * Returns false when that time passed. */
static bool futex_wait_until(atomic_uint *w, unsigned val, const struct timespec *until)
{
    long r = syscall(SYS_futex, (unsigned *)w, FUTEX_WAIT_BITSET, val, until, NULL,
                     FUTEX_BITSET_MATCH_ANY);
    return !(r < 0 && errno == ETIMEDOUT);
}

static struct timespec deadline_in(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) t.tv_sec++, t.tv_nsec -= 1000000000L;
    return t;
}

static void pgate_open(drv_pgate *g, bool broken)
{
    if (broken) atomic_store(&g->broken, 1);
    atomic_store(&g->open, 1);
    atomic_fetch_add(&g->seq, 1);
    futex_wake_all(&g->seq);
}

int drv_pgate_wait(drv_pgate *g)
{
    int e = errno;
    pslot *s = op_begin(OP_GATE, -1, 0, __builtin_return_address(0));
    drv_progress();
    int in = atomic_fetch_add(&g->inside, 1) + 1;
    max_store(&g->most, in);
    if (in >= g->n)
        pgate_open(g, false);
    else {
        atomic_fetch_add(&g->seq, 1);
        futex_wake_all(&g->seq);
    }
    while (!atomic_load(&g->open)) {
        unsigned seen = atomic_load(&g->seq);
        struct timespec until = deadline_in(g->patience_ms);
        bool in_time = true;
        while (in_time && !atomic_load(&g->open) && atomic_load(&g->seq) == seen)
            in_time = futex_wait_until(&g->seq, seen, &until);
        if (!in_time && !atomic_load(&g->open) && atomic_load(&g->seq) == seen)
            pgate_open(g, true); /* nobody new came: not all at once */
    }
    atomic_fetch_sub(&g->inside, 1);
    op_end(s, false);
    errno = e;
    return atomic_load(&g->broken) ? -1 : 0;
}

int drv_pgate_most(const drv_pgate *g)
{
    return atomic_load(&((drv_pgate *)g)->most);
}

bool drv_pgate_broken(const drv_pgate *g)
{
    return atomic_load(&((drv_pgate *)g)->broken);
}

void drv_pgate_free(drv_pgate *g)
{
    drv_shared_free(g, sizeof *g);
}

int drv_pwait(bool (*cond)(void *arg), void *arg, long patience_ms)
{
    int e = errno;
    pslot *s = op_begin(OP_GATE, -1, 0, __builtin_return_address(0));
    int64_t until = now_ms() + drv_patience_ms(patience_ms);
    bool ok;
    while (!(ok = cond(arg)) && now_ms() < until) poll(NULL, 0, 1);
    op_end(s, false);
    errno = e;
    return ok ? 0 : -1;
}

char drv_proc_state(pid_t pid)
{
    return proc_state(pid);
}

bool drv_proc_ended(pid_t pid)
{
    char st = proc_state(pid);
    return st == 0 || st == 'Z' || st == 'X';
}

/* --- the student's children
 * ------------------------------------------------------------- */

typedef struct kid {
    atomic_int pid; /* 0: reaped (seen) */
    _Atomic(const void *) site;
} kid;

static kid kids[MAX_KIDS];
static atomic_int nkids, kids_total, kids_most, kids_threaded, driver_forks;
static _Atomic(const void *) first_reap_site, early_wait_site, first_fork_site, name_site;

void drv_proc_forget(void)
{
    STORE(nkids, 0);
    STORE(kids_total, 0);
    STORE(kids_most, 0);
    STORE(kids_threaded, 0);
    STORE(first_reap_site, NULL);
    STORE(early_wait_site, NULL);
    STORE(first_fork_site, NULL);
    STORE(name_site, NULL);
}

/* Children in the table that still exist (running or zombie); forgets the
 * others. Approximate beyond 256 entries (then all count). */
static int kids_alive(void)
{
    int n = LOAD(nkids), alive = 0;
    if (n > 256) return n;
    for (int i = 0; i < n; i++) {
        pid_t p = LOAD(kids[i].pid);
        if (!p) continue;
        if (pid_gone(p))
            STORE(kids[i].pid, 0);
        else
            alive++;
    }
    return alive;
}

static void kid_add(pid_t p, const void *site)
{
    int n = LOAD(nkids);
    if (n == MAX_KIDS) { /* compact: drop the reaped */
        int w = 0;
        for (int i = 0; i < n; i++)
            if (LOAD(kids[i].pid)) kids[w++] = kids[i];
        n = w;
    }
    if (n == MAX_KIDS) return;
    STORE(kids[n].pid, p);
    STORE(kids[n].site, site);
    STORE(nkids, n + 1);
}

static void kid_reaped(pid_t p)
{
    int n = LOAD(nkids);
    for (int i = n - 1; i >= 0; i--)
        if (LOAD(kids[i].pid) == p) {
            STORE(kids[i].pid, 0);
            return;
        }
}

static void parent_after_fork(pid_t p, const void *site)
{
    ADD(kids_total, 1);
    const void *none = NULL;
    atomic_compare_exchange_strong(&first_fork_site, &none, site);
    drv_thread_stats t = drv_threads_stats();
    if (t.unjoined > 0 || t.detached > 0) {
        ADD(kids_threaded, 1);
        if (A) ADD(A->threaded_forks, 1);
    }
    const void *reap = LOAD(first_reap_site);
    if (reap && !LOAD(early_wait_site)) STORE(early_wait_site, reap);
    int alive = kids_alive() + 1;
    kid_add(p, site);
    max_store(&kids_most, alive);
    drv_progress();
}

static void child_after_fork(void)
{
    int index = LOAD(kids_total) + 1; /* the parent counts this fork after it */
    int parent = slot_index(LOAD(my_slot_pid) == getppid() ? LOAD(my_slot_cache) : NULL);
    drv_proc_forget();
    if (!A) return;
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0,
          0); /* the watchdog may read our syscall */
    slot_claim(getpid(), parent, index, NULL);
}

void drv_proc_forked(pid_t p, const void *site)
{
    int e = errno;
    if (p > 0)
        parent_after_fork(p, site);
    else if (p == 0)
        child_after_fork();
    errno = e;
}

void drv_proc_waiting(pid_t pid, int options, const void *site)
{
    if (!(options & WNOHANG)) op_begin(OP_WAIT, -1, pid, site);
}

bool drv_proc_in_wait(pid_t pid, pid_t *target)
{
    for (int i = 0; A && i < NSLOTS; i++) {
        pslot *s = &A->slots[i];
        if (LOAD(s->pid) != pid) continue;
        if (LOAD(s->op) != OP_WAIT) return false;
        if (target) *target = (pid_t)LOAD(s->arg);
        return true;
    }
    return false;
}

void drv_proc_waited(pid_t r, const void *site)
{
    int e = errno;
    if (r > 0) {
        const void *none = NULL;
        atomic_compare_exchange_strong(&first_reap_site, &none, site);
        kid_reaped(r);
    }
    op_end(my_slot(), r > 0);
    errno = e;
}

int drv_procs_most_alive(void)
{
    return LOAD(kids_most);
}

const void *drv_procs_early_wait(void)
{
    return LOAD(early_wait_site);
}

const void *drv_procs_fork_site(void)
{
    return LOAD(first_fork_site);
}

const void *drv_procs_wait_site(void)
{
    return LOAD(first_reap_site);
}

const void *drv_procs_name_site(void)
{
    return LOAD(name_site);
}

int drv_wrap_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
                   unsigned long a5)
{
    int r = prctl(option, a2, a3, a4, a5);
    if (r == 0 && option == PR_SET_NAME) STORE(name_site, __builtin_return_address(0));
    return r;
}

int drv_wrap_pthread_setname_np(pthread_t t, const char *name)
{
    int r = pthread_setname_np(t, name);
    if (r == 0 && pthread_equal(t, pthread_self()) &&
        getpid() == (pid_t)syscall(SYS_gettid))
        STORE(name_site, __builtin_return_address(0));
    return r;
}

int drv_procs_forked_threaded(void)
{
    return LOAD(kids_threaded);
}

/* Distinct call sites with a count each, for findings with several sites. */
typedef struct sites {
    int n;
    const void *site[8];
    int count[8];
    char title[8][160];
} sites;

static void sites_add(sites *s, const void *site)
{
    for (int i = 0; i < s->n; i++)
        if (s->site[i] == site) {
            s->count[i]++;
            return;
        }
    if (s->n < 8) s->site[s->n] = site, s->count[s->n++] = 1;
}

static void sites_report(const char *kind, sites *s, const char *msg)
{
    const char *titles[8];
    for (int i = 0; i < s->n; i++) titles[i] = s->title[i];
    drv_finding_sites(kind, s->n, s->site, titles, "%s", msg);
}

int drv_procs_check_reaped(const char *when)
{
    int n = LOAD(nkids), left = 0, total = LOAD(kids_total);
    sites at = {0};
    for (int i = 0; i < n; i++) {
        pid_t p = LOAD(kids[i].pid);
        if (!p) continue;
        STORE(kids[i].pid, 0);
        int st;
        pid_t r = waitpid(p, &st, WNOHANG);
        if (r < 0) continue; /* reaped by a call we did not see */
        if (r == 0) {        /* still running: stop it */
            kill(p, SIGKILL);
            waitpid(p, &st, 0);
        }
        left++;
        sites_add(&at, LOAD(kids[i].site));
    }
    if (!left) return 0;
    for (int i = 0; i < at.n; i++)
        snprintf(at.title[i], sizeof at.title[i], "%d %s forked here", at.count[i],
                 at.count[i] == 1 ? "child" : "children");
    char msg[512];
    snprintf(
        msg, sizeof msg,
        "%d of the %d child processes %s never waited for %s: a child that has ended "
        "stays a "
        "zombie (and one still running is left behind) until its parent collects it with "
        "waitpid",
        left, total, left == 1 ? "was" : "were", when);
    sites_report("zombie", &at, msg);
    return left;
}

/* --- descriptors
 * ------------------------------------------------------------------------- */

#define MAX_FDS 1024

struct drv_fds {
    int n;
    struct {
        int fd;
        unsigned long dev, ino;
    } e[MAX_FDS];
};

static void fds_read(drv_fds *s)
{
    s->n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    int skip = dirfd(d), rfd = drv_result_fd();
    struct dirent *e;
    while ((e = readdir(d)) && s->n < MAX_FDS) {
        if (e->d_name[0] == '.') continue;
        int fd = atoi(e->d_name);
        struct stat st;
        if (fd == skip || fd == rfd || fstat(fd, &st) < 0) continue;
        s->e[s->n].fd = fd;
        s->e[s->n].dev = (unsigned long)st.st_dev;
        s->e[s->n++].ino = (unsigned long)st.st_ino;
    }
    closedir(d);
}

drv_fds *drv_fds_snapshot(void)
{
    drv_fds *s = calloc(1, sizeof *s);
    if (!s) abort();
    fds_read(s);
    return s;
}

void drv_fds_free(drv_fds *s)
{
    free(s);
}

static bool fds_has(const drv_fds *s, int fd, unsigned long dev, unsigned long ino)
{
    for (int i = 0; i < s->n; i++)
        if (s->e[i].fd == fd && s->e[i].dev == dev && s->e[i].ino == ino) return true;
    return false;
}

/* What descriptor fd of process pid is, as a phrase ("the read end of a
 * pipe"); *ino gets the pipe's inode (0 if not a pipe). */
static void fd_describe(pid_t pid, int fd, char *out, size_t len, unsigned long *ino)
{
    char path[64], target[256] = "", info[256] = "";
    snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    *ino = 0;
    if (sscanf(target, "pipe:[%lu]", ino) == 1) {
        snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, fd);
        FILE *f = fopen(path, "re");
        unsigned flags = 0;
        while (f && fgets(info, sizeof info, f))
            if (sscanf(info, "flags: %o", &flags) == 1) break;
        if (f) fclose(f);
        snprintf(out, len, "the %s end of a pipe",
                 (flags & O_ACCMODE) == O_WRONLY ? "write" : "read");
    } else if (!strncmp(target, "socket:", 7)) {
        snprintf(out, len, "a socket");
    } else if (!strncmp(target, "anon_inode:", 11)) {
        snprintf(out, len, "an %s", target + 11);
    } else if (target[0] == '/') {
        const char *base = strrchr(target, '/');
        snprintf(out, len, "the file %s", base[1] ? base + 1 : target);
    } else {
        snprintf(out, len, "%s", target[0] ? target : "a descriptor");
    }
}

int drv_fds_check(const drv_fds *before, const char *when)
{
    if (strcmp(drv_tool(), "native")) return 0; /* sanitizer runtimes open their own */
    drv_fds *now = drv_fds_snapshot();
    sites at = {0};
    char list[1536] = "";
    size_t used = 0;
    int leaked = 0;
    for (int i = 0; i < now->n; i++) {
        if (fds_has(before, now->e[i].fd, now->e[i].dev, now->e[i].ino)) continue;
        char what[160];
        unsigned long ino;
        int fd = now->e[i].fd;
        fd_describe(getpid(), fd, what, sizeof what, &ino);
        if (used < sizeof list - 1)
            used += (size_t)snprintf(list + used, sizeof list - used, "%sfd %d (%s)",
                                     leaked ? ", " : "", fd, what);
        const void *site = ino ? pipe_site(ino) : NULL;
        if (site) {
            sites_add(&at, site);
            for (int k = 0; k < at.n; k++)
                if (at.site[k] == site && strlen(at.title[k]) < 120)
                    snprintf(at.title[k] + strlen(at.title[k]),
                             sizeof at.title[k] - strlen(at.title[k]), "%sfd %d",
                             at.count[k] > 1 ? ", " : "", fd);
        }
        leaked++;
        close(fd);
    }
    drv_fds_free(now);
    if (!leaked) return 0;
    for (int k = 0; k < at.n; k++)
        strncat(at.title[k], ": made by this pipe() call",
                sizeof at.title[k] - strlen(at.title[k]) - 1);
    char msg[2048];
    snprintf(msg, sizeof msg,
             "%d file descriptor%s left open %s: %s. Close every pipe end a process does "
             "not use "
             "(right after fork, in the parent and in the child) and the rest once you "
             "are done",
             leaked, leaked == 1 ? " was" : "s were", when, list);
    if (at.n)
        sites_report("fd-leak", &at, msg);
    else
        drv_finding("fd-leak", "%s", msg);
    return leaked;
}

/* --- the watchdog
 * --------------------------------------------------------------------------- */

/* A report in the making: one line per process, one site each. */
typedef struct story {
    char msg[3072];
    size_t len;
    int n;
    const void *site[8];
    char title[8][160];
    const char *kind;
} story;

static void story_printf(story *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void story_printf(story *st, const char *fmt, ...)
{
    if (st->len >= sizeof st->msg - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(st->msg + st->len, sizeof st->msg - st->len, fmt, ap);
    va_end(ap);
    if (n > 0) st->len += (size_t)n;
    if (st->len >= sizeof st->msg) st->len = sizeof st->msg - 1;
}

static void story_site(story *st, const void *site, const char *title)
{
    if (!site || st->n >= 8) return;
    for (int i = 0; i < st->n; i++)
        if (st->site[i] == site) return;
    st->site[st->n] = site;
    snprintf(st->title[st->n++], sizeof st->title[0], "%s", title);
}

static int slots_ordered(int *order);

/* How a watched process is named: "the parent", "child 2", "child 1 of child 2". */
static void proc_name(const pslot *s, pid_t me, char *out, size_t len)
{
    if (LOAD(((pslot *)s)->pid) == me) {
        snprintf(out, len, "itself");
        return;
    }
    int idx = LOAD(((pslot *)s)->index), parent = LOAD(((pslot *)s)->parent);
    if (s->label[0])
        snprintf(out, len, "%s", s->label);
    else if (idx == 0)
        snprintf(out, len, "the parent");
    else if (idx < 0)
        snprintf(out, len, "another process");
    else if (parent >= 0 && LOAD(A->slots[parent].index) > 0) {
        char up[48];
        proc_name(&A->slots[parent], 0, up, sizeof up);
        snprintf(out, len, "child %d of %s", idx, up);
    } else
        snprintf(out, len, "child %d", idx);
}

/* Appends, for pipe ino, every watched process holding its write end (want
 * O_WRONLY) or read end: "itself (fd 4), the parent (fd 6)". */
static int pipe_holders(unsigned long ino, int want, pid_t me, char *out, size_t len)
{
    size_t used = 0;
    int found = 0, order[NSLOTS], n = slots_ordered(order);
    out[0] = 0;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        pid_t p = LOAD(A->slots[i].pid);
        char dpath[64];
        snprintf(dpath, sizeof dpath, "/proc/%d/fd", (int)p);
        DIR *d = p ? opendir(dpath) : NULL;
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char what[64], name[64];
            unsigned long fino;
            fd_describe(p, atoi(e->d_name), what, sizeof what, &fino);
            bool is_write = strstr(what, "write end") != NULL;
            if (fino != ino || is_write != (want == O_WRONLY)) continue;
            proc_name(&A->slots[i], me, name, sizeof name);
            if (used < len)
                used += (size_t)snprintf(out + used, len - used, "%s%s (fd %s)",
                                         found++ ? ", " : "", name, e->d_name);
        }
        if (d) closedir(d);
    }
    return found;
}

/* The system call a process is blocked in, from /proc/PID/syscall (needs
 * ptrace rights: granted by the children we observe), else its wchan. */
static void proc_syscall(pid_t pid, char *out, size_t len, int *fd)
{
    char path[64], buf[256] = "";
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    FILE *f = fopen(path, "re");
    long nr = -1;
    unsigned long a0 = 0;
    if (f && fgets(buf, sizeof buf, f)) sscanf(buf, "%ld %lx", &nr, &a0);
    if (f) fclose(f);
    *fd = -1;
    static const struct {
        long nr;
        const char *what;
    } calls[] = {
        {SYS_read, "read()"},
        {SYS_write, "write()"},
        {SYS_ppoll, "ppoll()"},
        {SYS_pselect6, "pselect()"},
        {SYS_wait4, "waitpid()"},
        {SYS_waitid, "waitid()"},
        {SYS_epoll_pwait, "epoll_wait()"},
        {SYS_nanosleep, "a sleep"},
        {SYS_clock_nanosleep, "a sleep"},
        {SYS_futex, "a futex (waiting for a mutex, condition variable or semaphore)"},
#ifdef SYS_poll
        {SYS_poll, "poll()"},
        {SYS_select, "select()"},
        {SYS_epoll_wait, "epoll_wait()"},
        {SYS_pause, "pause()"},
#endif
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (calls[i].nr == nr) {
            snprintf(out, len, "%s", calls[i].what);
            if (nr == SYS_read || nr == SYS_write) *fd = (int)a0;
            return;
        }
    snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
    f = fopen(path, "re");
    buf[0] = 0;
    if (f && !fgets(buf, sizeof buf, f)) buf[0] = 0;
    if (f) fclose(f);
    snprintf(out, len, "the kernel (%.60s)",
             buf[0] && strcmp(buf, "0") ? buf : "unknown wait");
}

/* Explains descriptor fd of a process blocked on it (in read, write or
 * poll): for a pipe, who holds the other end. */
static void fd_story(story *st, pid_t pid, int fd, int op, const char *name)
{
    char what[160], holders[512];
    unsigned long ino;
    fd_describe(pid, fd, what, sizeof what, &ino);
    if (!ino) {
        story_printf(st, " (%s)", what);
        return;
    }
    if (!strstr(what, "write end")) {
        int n = pipe_holders(ino, O_WRONLY, pid, holders, sizeof holders);
        story_printf(st, ", the read end of a pipe; %s",
                     n ? "its write end is still open in: "
                       : "no process of the program holds its write end");
        story_printf(st, "%s (end-of-file comes only once every write end is closed)",
                     holders);
    } else {
        int n = pipe_holders(ino, O_RDONLY, pid, holders, sizeof holders);
        story_printf(st, ", the write end of a pipe%s; %s%s",
                     op == OP_WRITE ? " that is full" : "",
                     n ? "its read end is open in: "
                       : "no process of the program holds its read end",
                     holders);
    }
    char title[160];
    snprintf(title, sizeof title, "the pipe %s waits on (fd %d), created here", name, fd);
    story_site(st, pipe_site(ino), title);
}

/* One line of the report for a watched, blocked process. */
static void proc_story(story *st, pslot *s, pid_t pid)
{
    char name[64], title[160], call[128];
    proc_name(s, 0, name, sizeof name);
    int op = LOAD(s->op), fd = LOAD(s->fd);
    long arg = LOAD(s->arg);
    const char *doing = LOAD(s->doing), *kind = LOAD(s->doing_kind);
    if (kind && !st->kind) st->kind = kind;
    story_printf(st, "\n- %s%s%s%s ", name, doing ? " (" : "", doing ? doing : "",
                 doing ? ")" : "");
    static const char *const calls[] = {"",       "read()",    "write()",
                                        "poll()", "waitpid()", "the test's gate"};
    if (op == OP_NONE) {
        proc_syscall(pid, call, sizeof call, &fd);
        op = strstr(call, "read()")    ? OP_READ
             : strstr(call, "write()") ? OP_WRITE
                                       : OP_NONE;
    } else {
        snprintf(call, sizeof call, "%s", calls[op]);
    }
    story_printf(st, "is blocked in %s", call);
    snprintf(title, sizeof title, "%.60s: blocked in %.80s here", name, call);
    story_site(st, LOAD(s->op) != OP_NONE ? LOAD(s->site) : LOAD(s->doing_site), title);
    if (op == OP_READ || op == OP_WRITE || (op == OP_POLL && fd >= 0)) {
        story_printf(st, " on fd %d", fd);
        if (op == OP_POLL && arg > 1) story_printf(st, " (and %ld more)", arg - 1);
        fd_story(st, pid, fd, op, name);
    } else if (op == OP_WAIT) {
        char child[64] = "one child";
        for (int i = 0; arg > 0 && i < NSLOTS; i++)
            if (LOAD(A->slots[i].pid) == arg)
                proc_name(&A->slots[i], 0, child, sizeof child);
        story_printf(st, " for %s to end", arg > 0 ? child : "any child");
    }
}

/* 'R' if any thread of process pid is running, else the state of the
 * process (its first thread), 0 if it is gone. */
static char proc_state_any(pid_t pid)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    struct dirent *e;
    bool running = false;
    while (d && !running && (e = readdir(d))) {
        char path[96], buf[512];
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%.16s/stat", dir, e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t r = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0) close(fd);
        if (r <= 0) continue;
        buf[r] = 0;
        char *p = strrchr(buf, ')');
        running = p && p[1] == ' ' && p[2] == 'R';
    }
    if (d) closedir(d);
    return running ? 'R' : proc_state(pid);
}

/* A slot's place in the family, for a stable order: the root, then its
 * children by number, each followed by its own children. */
static uint64_t slot_key(int i)
{
    int chain[4], n = 0;
    for (int s = i; s >= 0 && n < 4; s = LOAD(A->slots[s].parent))
        chain[n++] = LOAD(A->slots[s].index) & 0xFFFF;
    uint64_t key = 0;
    for (int k = n - 1, shift = 48; k >= 0; k--, shift -= 16)
        key |= (uint64_t)chain[k] << shift;
    return key;
}

/* The slots of live processes in family order; returns how many. */
static int slots_ordered(int *order)
{
    int n = 0;
    uint64_t keys[NSLOTS];
    for (int i = 0; i < NSLOTS; i++) {
        if (!LOAD(A->slots[i].pid)) continue;
        uint64_t k = slot_key(i);
        int j = n++;
        for (; j > 0 && keys[j - 1] > k; j--)
            keys[j] = keys[j - 1], order[j] = order[j - 1];
        keys[j] = k;
        order[j] = i;
    }
    return n;
}

/* True while some watched process runs, waits at a driver's gate, or none is
 * blocked at all: then there is nothing to report. */
static bool watch_busy(void)
{
    int blocked = 0;
    for (int i = 0; i < NSLOTS; i++) {
        pid_t p = LOAD(A->slots[i].pid);
        if (!p) continue;
        char state = proc_state_any(p);
        if (state == 'R' || LOAD(A->slots[i].op) == OP_GATE) return true;
        if (state && state != 'Z' && state != 'X') blocked++;
    }
    return blocked == 0;
}

static _Noreturn void watch_fire(void)
{
    static story st;
    story_printf(&st, "no process made progress for %.1f s, and every one is blocked:",
                 (double)A->window_ms / 1000.0);
    int order[NSLOTS], n = slots_ordered(order);
    for (int k = 0; k < n; k++) {
        pid_t p = LOAD(A->slots[order[k]].pid);
        char state = p ? proc_state(p) : 0;
        if (state && state != 'Z' && state != 'X')
            proc_story(&st, &A->slots[order[k]], p);
    }
    int threaded = LOAD(A->threaded_forks);
    if (threaded)
        story_printf(
            &st,
            "\n%d child process%s forked while the parent had another thread (not yet "
            "joined): a "
            "child starts with the forking thread alone, and a lock another thread held "
            "at "
            "that moment stays locked in it forever (under ThreadSanitizer the child may "
            "even hang inside the sanitizer)",
            threaded, threaded == 1 ? " was" : "es were");
    const char *titles[8];
    for (int i = 0; i < st.n; i++) titles[i] = st.title[i];
    drv_finding_sites(st.kind ? st.kind : "deadlock", st.n, st.site, titles, "%s",
                      st.msg);
    pid_t root = LOAD(A->root);
    kill(root, SIGRTMIN + 4); /* the root's handler exits with STUCK_EXIT */
    int64_t until = now_ms() + drv_patience_ms(1000);
    while (!pid_gone(root) && now_ms() < until) poll(NULL, 0, 20);
    if (!pid_gone(root)) kill(root, SIGKILL);
    _exit(0);
}

/* The helper process: keeps no descriptor of the program but the result
 * channel, and watches until the scenario's process is gone. */
static _Noreturn void watch_main(void)
{
    int keep = drv_result_fd();
    for (int fd = 0; fd < 1024; fd++)
        if (fd != keep) close(fd);
    prctl(PR_SET_NAME, "grader-watch", 0, 0, 0);
    pid_t root = LOAD(A->root);
    long seen = -1;
    int64_t quiet_since = now_ms();
    for (;;) {
        poll(NULL, 0, TICK_MS);
        if (pid_gone(root)) _exit(0);
        long hb = LOAD(A->heartbeat);
        if (!LOAD(A->armed) || hb != seen || watch_busy()) {
            seen = hb;
            quiet_since = now_ms();
        } else if (now_ms() - quiet_since >= A->window_ms) {
            watch_fire();
        }
    }
}

static void on_watch_stop(int sig)
{
    (void)sig;
    _exit(STUCK_EXIT);
}

/* Starts the helper as a grandchild, so that it is never a child of the
 * scenario's process (the student's wait(NULL) must not wait for it). */
static void watch_spawn(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_watch_stop;
    sigaction(SIGRTMIN + 4, &sa, NULL);
    STORE(A->watcher, 1);
    fflush(NULL);
    pid_t x = fork();
    if (x == 0) {
        if (fork() == 0) watch_main();
        _exit(0);
    }
    if (x > 0) waitpid(x, NULL, 0);
}

void drv_watch_start(void)
{
    area_get();
    if (!LOAD(A->watcher)) watch_spawn();
    drv_progress();
    STORE(A->armed, 1);
}

void drv_watch_stop(void)
{
    if (A) STORE(A->armed, 0);
}

/* --- the driver's own children
 * ----------------------------------------------------------- */

pid_t drv_fork(const char *label)
{
    area_get();
    fflush(NULL);
    int parent = slot_index(my_slot());
    pid_t p = fork();
    if (p == 0) {
        int index = LOAD(driver_forks) + 1;
        drv_proc_forget();
        STORE(driver_forks, 0);
        prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
        slot_claim(getpid(), parent, index, label ? label : "a child of the test");
    } else if (p > 0) {
        ADD(driver_forks, 1);
        drv_progress();
    }
    return p;
}

_Noreturn void drv_die(int sig)
{
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

/* --- locks in shared memory
 * --------------------------------------------------------------- */

enum { LOCK_MUTEX, LOCK_SEM, LOCK_COND };

typedef struct lock_note {
    _Atomic(const void *) addr, site;
    atomic_int kind, pshared;
} lock_note;

static lock_note locks[MAX_LOCKS];
static atomic_uint nlocks, locks_checked;

static void lock_noted(const void *addr, int kind, bool pshared, const void *site)
{
    unsigned i = ADD(nlocks, 1) % MAX_LOCKS;
    STORE(locks[i].addr, addr);
    STORE(locks[i].site, site);
    STORE(locks[i].kind, kind);
    STORE(locks[i].pshared, pshared);
}

int drv_wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    int ps = PTHREAD_PROCESS_PRIVATE;
    if (a) pthread_mutexattr_getpshared(a, &ps);
    lock_noted(m, LOCK_MUTEX, ps == PTHREAD_PROCESS_SHARED, __builtin_return_address(0));
    return pthread_mutex_init(m, a);
}

int drv_wrap_sem_init(sem_t *s, int pshared, unsigned value)
{
    lock_noted(s, LOCK_SEM, pshared != 0, __builtin_return_address(0));
    return sem_init(s, pshared, value);
}

int drv_wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
    int ps = PTHREAD_PROCESS_PRIVATE;
    if (a) pthread_condattr_getpshared(a, &ps);
    lock_noted(c, LOCK_COND, ps == PTHREAD_PROCESS_SHARED, __builtin_return_address(0));
    return pthread_cond_init(c, a);
}

/* What to say of a lock in shared memory that is not process-shared. */
static const char *const not_pshared[] = {
    [LOCK_MUTEX] =
        "this mutex is in memory shared between processes, but it was initialised "
        "without PTHREAD_PROCESS_SHARED: a process waiting for it is never woken "
        "by another process's unlock, so processes hang. Initialise it with an "
        "attribute set by pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)",
    [LOCK_SEM] = "this semaphore is in memory shared between processes, but sem_init was "
                 "given pshared = 0: a process waiting for it is never woken by another "
                 "process's sem_post, so processes hang. Pass a non-zero pshared",
    [LOCK_COND] =
        "this condition variable is in memory shared between processes, but it was "
        "initialised without PTHREAD_PROCESS_SHARED: a process waiting on it is never "
        "woken by another process's pthread_cond_signal or pthread_cond_broadcast, so "
        "processes hang. Initialise it with an attribute set by "
        "pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)",
};

/* Reports lock l if it cannot work between processes; returns 1 if it did. */
static int lock_check(lock_note *l)
{
    static const char *const names[] = {[LOCK_MUTEX] = "mutex",
                                        [LOCK_SEM] = "semaphore",
                                        [LOCK_COND] = "condition variable"};
    char where[96];
    const void *addr = LOAD(l->addr), *site = LOAD(l->site);
    int kind = LOAD(l->kind);
    if (!drv_mem_shared(addr, where, sizeof where)) {
        drv_finding_at(
            "mutex-misuse", site,
            "this %s is in %s, which is private to each process: after fork every "
            "process %s its own copy, so it %s. Put it in the shared memory, next to the "
            "%s, and make it process-shared",
            names[kind], where, kind == LOCK_COND ? "waits on" : "locks",
            kind == LOCK_COND ? DRV_MSG("wakes no waiter of another process")
                              : DRV_MSG("keeps no other process out"),
            kind == LOCK_COND ? "data it waits for" : "value");
        return 1;
    }
    if (LOAD(l->pshared)) return 0;
    drv_finding_at("mutex-misuse", site, "%s", not_pshared[kind]);
    return 1;
}

int drv_locks_check_shared(void)
{
    unsigned n = LOAD(nlocks), from = LOAD(locks_checked);
    if (n - from > MAX_LOCKS) from = n - MAX_LOCKS;
    STORE(locks_checked, n);
    int bad = 0;
    for (unsigned i = from; i < n; i++) bad += lock_check(&locks[i % MAX_LOCKS]);
    return bad;
}

/* --- what the tools covered
 * ---------------------------------------------------------------- */

void drv_procs_coverage(void)
{
    const char *tool = drv_tool();
    int threaded = LOAD(kids_threaded);
    char extra[256] = "";
    if (threaded)
        snprintf(
            extra, sizeof extra,
            "; %d child process%s forked while the parent had other threads (not yet "
            "joined): %s does not check such children",
            threaded, threaded == 1 ? " was" : "es were",
            strcmp(tool, "tsan") ? "the tool" : "ThreadSanitizer");
    if (!strcmp(tool, "tsan"))
        drv_out("coverage",
                "ThreadSanitizer checked the threads of the parent and of every child "
                "forked from a "
                "single-threaded process, each process on its own; races between "
                "processes are "
                "invisible to it (they show as lost updates)%s",
                extra);
    else if (!strcmp(tool, "helgrind"))
        drv_out("coverage",
                "Helgrind checked the threads of each process on its own; races between "
                "processes "
                "are invisible to it%s",
                extra);
    else
        drv_out("coverage",
                "native run: results, children, descriptors and deadlocks were checked "
                "by the "
                "test itself; data races are left to ThreadSanitizer%s",
                extra);
}
