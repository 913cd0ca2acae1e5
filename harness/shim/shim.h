/* libstress: the schedule and stress library preloaded into a driver.
 *
 * Internal interface shared by the files of harness/shim. Every model
 * update happens under the global lock (sys_lock/sys_unlock); in pct mode the
 * thread holding the run token is the only managed thread that performs
 * operations. No function here calls a pthread function by name: real
 * functions are reached through the table in real.c, waiting uses raw futexes.
 */
#ifndef STRESS_SHIM_H
#define STRESS_SHIM_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <threads.h>
#include <time.h>

#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_RA()   __builtin_return_address(0)

enum {
    MAX_THREADS = 4096, /* live managed threads per process */
    MAX_HELD = 16,      /* lock entries remembered per thread */
    STACK_DEPTH = 24,   /* frames kept per stack */
    SITE_DEPTH = 8,     /* raw frames kept per event site */
    RING_SIZE = 256,    /* events kept when not tracing */
    THR_RING = 64,      /* events kept per thread in random and observe mode */
    MAX_DEPTH = 16      /* pct change points + 1 */
};

/* ---- configuration (config.c) ------------------------------------------ */
enum mode { MODE_OFF, MODE_RANDOM, MODE_PCT, MODE_OBSERVE };

struct config {
    int mode;
    uint64_t seed;
    int depth;
    long steps;
    int prob;
    long slice_ms;
    int trace;
    long fail_create;
    long fail_fork;
    int stall_exit;
    int one_process; /* the run forks no process: model process-shared objects */
    char out[4096];
    char exe[4096];
};

extern struct config cfg;
extern int shim_active; /* set once the process was activated */
extern int shim_tsan;   /* the executable carries ThreadSanitizer */

/* ---- raw system interface (sys.c) ------------------------------------- */
long sys_call(long n, long a, long b, long c, long d, long e, long f);
int sys_futex_wait(_Atomic unsigned *w, unsigned val, long timeout_ns);
void sys_futex_wake(_Atomic unsigned *w, int n);
pid_t sys_gettid(void);
pid_t sys_getpid(void);
pid_t sys_getppid(void);
void sys_yield(void);
void sys_sleep_ns(long ns);
uint64_t sys_now_ns(int clock);
long sys_ts_to_ns(const struct timespec *ts);
__attribute__((noreturn)) void sys_exit_group(int code);
__attribute__((noreturn)) void sys_park_forever(void);
void *sys_alloc(size_t size);
void sys_lock(void);
void sys_unlock(void);
void sys_lock_reset(void);
size_t sys_strlen(const char *s);
int sys_streq(const char *a, const char *b);
int sys_startswith(const char *s, const char *prefix);
void sys_copy(void *dst, const void *src, size_t n);
void sys_zero(void *dst, size_t n);
void sys_strcpy(char *dst, const char *src, size_t cap);
int sys_write_fd(int fd, const char *buf, size_t n);
uint64_t sys_thread_cpu_ns(pid_t tid);
int sys_thread_sleeps(pid_t tid);

/* ---- real functions (real.c) ------------------------------------------ */
struct real_table {
    int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    int (*join)(pthread_t, void **);
    int (*tryjoin)(pthread_t, void **);
    int (*timedjoin)(pthread_t, void **, const struct timespec *);
    int (*clockjoin)(pthread_t, void **, clockid_t, const struct timespec *);
    int (*detach)(pthread_t);
    void (*exit)(void *) __attribute__((noreturn));
    pthread_t (*self)(void);
    int (*mutex_lock)(pthread_mutex_t *);
    int (*mutex_trylock)(pthread_mutex_t *);
    int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
    int (*mutex_unlock)(pthread_mutex_t *);
    int (*mutex_destroy)(pthread_mutex_t *);
    int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
    int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
    int (*cond_signal)(pthread_cond_t *);
    int (*cond_broadcast)(pthread_cond_t *);
    int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t,
                          const struct timespec *);
    int (*cond_init)(pthread_cond_t *, const pthread_condattr_t *);
    int (*cond_destroy)(pthread_cond_t *);
    int (*rw_rdlock)(pthread_rwlock_t *);
    int (*rw_tryrdlock)(pthread_rwlock_t *);
    int (*rw_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
    int (*rw_wrlock)(pthread_rwlock_t *);
    int (*rw_trywrlock)(pthread_rwlock_t *);
    int (*rw_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
    int (*rw_unlock)(pthread_rwlock_t *);
    int (*rw_destroy)(pthread_rwlock_t *);
    int (*sem_wait)(sem_t *);
    int (*sem_trywait)(sem_t *);
    int (*sem_timedwait)(sem_t *, const struct timespec *);
    int (*sem_post)(sem_t *);
    int (*sem_destroy)(sem_t *);
    int (*barrier_wait)(pthread_barrier_t *);
    int (*barrier_destroy)(pthread_barrier_t *);
    int (*spin_lock)(pthread_spinlock_t *);
    int (*spin_trylock)(pthread_spinlock_t *);
    int (*spin_unlock)(pthread_spinlock_t *);
    int (*sched_yield)(void);
    int (*usleep)(useconds_t);
    int (*nanosleep)(const struct timespec *, struct timespec *);
    pid_t (*fork)(void);
    int (*backtrace)(void **, int);
    int (*dladdr1)(const void *, void *, void **, int);
    int (*on_exit)(void (*)(int, void *), void *);
    int (*fflush)(void *);
    char *(*realpath)(const char *, char *);
    int (*clock_gettime)(clockid_t, struct timespec *);
    void (*assert_fail)(const char *, const char *, unsigned, const char *)
        __attribute__((noreturn));
    void (*abort)(void) __attribute__((noreturn));
    int (*thrd_create)(thrd_t *, thrd_start_t, void *);
};

extern struct real_table real;
void real_init(void);

/* ---- threads, objects, stacks ------------------------------------------ */
enum thr_state {
    TS_FREE,
    TS_NEW,
    TS_RUN,
    TS_READY,
    TS_BLOCKED,
    TS_OUT,
    TS_EXITED,
    TS_NSTATES
};

enum wait_kind {
    WK_NONE,
    WK_LOCK,
    WK_RDLOCK,
    WK_WRLOCK,
    WK_COND,
    WK_JOIN,
    WK_SEM,
    WK_BARRIER,
    WK_SLEEP
};

enum wake_reason {
    WR_NONE,
    WR_SIGNAL,
    WR_BROADCAST,
    WR_SPURIOUS,
    WR_TIMEOUT,
    WR_RELEASE
};

enum obj_kind { OK_MUTEX, OK_COND, OK_RWLOCK, OK_SEM, OK_BARRIER, OK_SPIN, OK_NKINDS };

enum held_mode { HM_LOCK, HM_READ, HM_WRITE };

struct stack {
    int n;
    void *pc[STACK_DEPTH];
};

struct site {
    void *pc[SITE_DEPTH];
};

struct obj;

struct held {
    struct obj *obj;
    int mode;
    int count;
    struct stack stk;
};

struct thr {
    unsigned backoff; /* pct: points until a busy trylock's caller yields */
    int slot;
    long lid; /* logical id: T<lid> */
    int state;
    int finished;
    _Atomic unsigned park; /* futex word, bumped whenever the thread must look again */
    pid_t ktid;
    pthread_t pt;
    int pt_known;
    void *(*start)(void *);
    int (*c11start)(void *);
    void *arg;
    void *retval;
    int detached;
    /* wait description, valid while state == TS_BLOCKED or queued */
    int wkind;
    struct obj *wobj;
    struct obj *wmutex;
    struct thr *wthr;
    int timed;
    int wclock;
    long deadline_ns;
    int wake;
    long woken_by;
    unsigned long wait_seq;
    struct thr *wnext, *wprev;
    int queued;
    struct stack wstk;
    /* condition variable history for the lost wake-up diagnosis */
    struct obj *woken_cond;
    unsigned long nsignals;
    unsigned long nsignals_at_wake;
    long woken_from;
    /* locks held */
    int nheld;
    struct held held[MAX_HELD];
    /* scheduling */
    long long prio;
    int heap_pos; /* pct: index + 1 in the heap of enabled threads, 0 if absent */
    uint64_t rng;
    int in_shim;
    struct site site;
    unsigned long visit;
    unsigned long npoints, nsteps, nflushed; /* fast-path counters of this thread */
    struct ev *ring; /* THR_RING events of this thread (random, observe) */
    unsigned long ring_n, ring_dumped;
};

struct obj {
    uintptr_t addr;       /* these three fields keep their values when */
    struct obj *all_next; /* a record is renamed (obj_renew) */
    struct obj *_Atomic chain_next;
    int kind;
    int no;
    int dead;
    int type;    /* mutex type: 0 normal, 1 recursive, 2 errorcheck, 3 adaptive */
    int pshared; /* forwarded to the real primitive */
    _Atomic uintptr_t lockword; /* owner (mutex, spin lock, rwlock writer) | LW_WAITERS */
    int count;
    int ghost; /* held by a thread that does not exist in this process */
    int nreaders;
    struct thr *whead, *wtail;
    int nwait;
    /* condition variables */
    int has_nobody;
    unsigned long nobody_seq, nobody_step;
    long nobody_tid;
    int nobody_bcast;
    void *nobody_pc; /* where that signal was sent */
    int has_swallow;
    long swallow_by, swallow_from;
    unsigned long swallow_step;
    /* barriers */
    unsigned needed, arrived;
    unsigned long gen;
};

/* ---- object table (objs.c) ------------------------------------------- */
enum { LW_WAITERS = 1 }; /* a release must wake threads blocked in the model */

static inline struct thr *obj_owner(struct obj *o)
{
    return (struct thr *)(atomic_load_explicit(&o->lockword, memory_order_acquire) &
                          ~(uintptr_t)LW_WAITERS);
}

void obj_set_owner(struct obj *o, struct thr *t);
struct obj *obj_peek(const void *addr, int kind);
void obj_init(void);
struct obj *obj_get(const void *addr, int kind);
struct obj *obj_find(const void *addr);
void obj_forget(const void *addr);
void obj_reset_after_fork(struct thr *self);
char obj_prefix(int kind);
void obj_enqueue(struct obj *o, struct thr *t);
void obj_dequeue(struct obj *o, struct thr *t);

/* ---- stacks (stack.c) ------------------------------------------------ */
void stk_init(void);
void stk_capture(struct stack *s);
void stk_site(struct site *s, void *ra);
/* Remembers ra as the calling thread's last returned wait (stress_last_wait). */
void stk_note_wait(void *ra);
int stk_interceptor(const char *name);

/* ---- output (out.c) ------------------------------------------------- */
struct jb {
    char *p;
    size_t n, cap;
    int full;
};

enum ev_op {
    EV_LOCK,
    EV_UNLOCK,
    EV_TRYLOCK,
    EV_WAIT,
    EV_WAKE,
    EV_SIGNAL,
    EV_BROADCAST,
    EV_CREATE,
    EV_JOIN,
    EV_EXIT,
    EV_FORK,
    EV_YIELD,
    EV_SEM_WAIT,
    EV_SEM_POST,
    EV_BARRIER,
    EV_RDLOCK,
    EV_WRLOCK,
    EV_PREEMPT,
    EV_SLICE,
    EV_SLEEP,
    EV_DETACH,
    EV_DESTROY,
    EV_NOPS
};

enum ev_res {
    ER_NONE,
    ER_ACQUIRED,
    ER_BLOCKED,
    ER_BUSY,
    ER_OK,
    ER_TIMEOUT,
    ER_SPURIOUS,
    ER_SIGNAL,
    ER_BROADCAST,
    ER_ERROR,
    ER_DEADLK,
    ER_RECURSIVE,
    ER_PRIORITY,
    ER_CHANGE_POINT,
    ER_YIELD,
    ER_NOBODY,
    ER_WAITING,
    ER_SERIAL,
    ER_VIRTUAL,
    ER_OUTSIDE,
    ER_BUSY_DESTROY,
    ER_NESTED,
    ER_NRES
};

struct ev {
    unsigned long seq, step;
    uint64_t ts; /* orders the per-thread rings of random and observe mode */
    long tid;
    int op, res;
    int okind, ono;
    uintptr_t addr;
    int o2kind, o2no; /* the mutex of a condition wait */
    long peer;        /* another thread, -1 if none */
    long value;
    int nondet;
    struct site site;
};

void jb_init(struct jb *b, char *mem, size_t cap);
void jb_puts(struct jb *b, const char *s);
void jb_putc(struct jb *b, char c);
void jb_str(struct jb *b, const char *s);
void jb_u64(struct jb *b, uint64_t v);
void jb_i64(struct jb *b, int64_t v);
void jb_hex(struct jb *b, uintptr_t v);
void jb_objname(struct jb *b, int kind, int no);
void jb_tid(struct jb *b, long lid);
void jb_head(struct jb *b, const char *type);
void jb_stack(struct jb *b, const struct stack *s);
void jb_frame(struct jb *b, void *pc);
int out_open(void);
void out_reopen_after_fork(void);
void out_line(struct jb *b, int essential);
struct ev *out_event_slot(struct thr *t, struct ev *scratch);
void out_event_done(struct ev *e);
void out_dump_ring(void);
void out_reset_after_fork(void);
char *out_bigbuf(size_t *cap);
int out_is_interceptor(void *ra);

/* ---- scheduler (sched.c) --------------------------------------------- */
struct sched {
    struct thr *slots[MAX_THREADS];
    int nslots;
    long next_lid;
    int count[TS_NSTATES];
    int ntimed; /* blocked threads with a deadline */
    struct thr *holder;
    uint64_t holder_since;
    _Atomic unsigned long seq, step, points;
    unsigned long cps[MAX_DEPTH];
    int ncps, next_cp;
    long long floor;
    uint64_t rng;
    int dying;
    unsigned long nforks, ncreates;
    long fork_index;
    pid_t pid;
    uint64_t start_ns;
    _Atomic uint64_t perturb_ns;
    _Atomic int enabled; /* NEW + RUN + READY, read without the lock */
    unsigned long order; /* orders waits and signals (under the lock) */
};

extern struct sched g;

struct thr *shim_self(void);
struct thr *shim_self_raw(void);
void sem_catch_up(void);
void shim_set_self(struct thr *t);
struct thr *thr_alloc(void);
void thr_release(struct thr *t);
void thr_set(struct thr *t, int state);
struct thr *thr_by_pt(pthread_t pt);
void sched_init_main(void);
void sched_enter(struct thr *t, void *ra);
int sched_fast_enter(struct thr *t, void *ra);
void sched_fast_exit(struct thr *t);
void sched_fast_to_slow(struct thr *t);
void sched_lock(void);
void sched_flush_counts(struct thr *t);
unsigned long sched_total_steps(void);
void sched_enter_yield(struct thr *t, void *ra);
void sched_exit(struct thr *t);
int sched_block(struct thr *t);
void sched_wake(struct thr *w, int reason, long by);
struct thr *sched_pick_waiter(struct obj *o);
void sched_out(struct thr *t);
void sched_rejoin(struct thr *t);
void sched_demote(struct thr *t);
void sched_busy(struct thr *t);
void prio_insert(struct thr *t);
void prio_remove(struct thr *t);
void prio_set(struct thr *t, long long prio);
struct thr *prio_top(void);
void prio_clear(void);
void sched_resched(struct thr *t, int res);
void sched_nested_point(struct thr *t);
void sched_place_new(struct thr *t);
void sched_after_exit(void);
void sched_reset_after_fork(struct thr *self);
void sched_seed_pct(uint64_t seed);
uint64_t rng_next(uint64_t *s);
uint64_t rng_mix(uint64_t x);
int sched_coin(struct thr *t, int permille);
void wait_begin(struct thr *t, int kind, struct obj *o, const struct timespec *abs,
                int clock);
void wait_end(struct thr *t);
void ev_emit(struct thr *t, int op, struct obj *o, int res, long peer, long value);
void ev_emit_cond(struct thr *t, int op, struct obj *c, struct obj *m, int res, long peer,
                  long value);
void ev_emit_nondet(struct thr *t, int op, int res, long peer);

/* ---- diagnosis (diag.c) ---------------------------------------------- */
void diag_check_cycle(struct thr *t);
__attribute__((noreturn)) void diag_self_deadlock(struct thr *t, struct obj *o, int op);
__attribute__((noreturn)) void diag_stall(void);
void diag_timewarp(struct thr *woken);
void diag_reset_after_fork(void);
__attribute__((noreturn)) void diag_finish(int status);
void sched_check_stall(void);
uint64_t sched_proc_seed(void);
void cfg_write_start(uint64_t seed);
void cfg_write_end(int status, const char *reason);
void cfg_reset_after_fork(void);
const char *cfg_self_exe(void);
void *out_site_pc(const struct site *s);
void jb_set_depth(int depth);

/* ---- held locks (mutex.c) -------------------------------------------- */
struct held *held_find(struct thr *t, struct obj *o, int mode);
void held_add(struct thr *t, struct obj *o, int mode);
void held_del(struct thr *t, struct obj *o, int mode);
int mutex_acquire(struct thr *t, pthread_mutex_t *m, struct obj *o, int mode,
                  const struct timespec *abs);
int mutex_release(struct thr *t, pthread_mutex_t *m, struct obj *o);
int mutex_is_forwarded(const pthread_mutex_t *m);
void mutex_wake_waiters(struct obj *o);

enum acquire_mode { AM_LOCK, AM_TRY, AM_TIMED };

/* ---- threads (thread.c) ---------------------------------------------- */
void thread_finish(struct thr *t, void *ret);

#endif
