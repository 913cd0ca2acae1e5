/* Stack capture: backtrace() through the real function, without the shim's
 * own frames and, in a ThreadSanitizer executable, without the interceptor
 * frames that lie between the program and the shim.
 */
#include "shim.h"

#include <elf.h>
#include <link.h>

extern const ElfW(Ehdr) __ehdr_start;

static uintptr_t shim_lo, shim_hi;

/* Finds the address range of the shim's executable segment and loads the
 * unwinder (the first backtrace() loads libgcc_s, which must not happen
 * later with the global lock held). */
void stk_init(void)
{
    const ElfW(Ehdr) *eh = &__ehdr_start;
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
    uintptr_t bias = 0;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
            bias = (uintptr_t)eh - ph[i].p_vaddr;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X)) continue;
        shim_lo = bias + ph[i].p_vaddr;
        shim_hi = shim_lo + ph[i].p_memsz;
    }
    void *warm[4];
    if (real.backtrace) real.backtrace(warm, 4);
}

static int stk_in_shim(void *pc)
{
    return (uintptr_t)pc >= shim_lo && (uintptr_t)pc < shim_hi;
}

static const char *const interposed[] = {"pthread_create",
                                         "pthread_join",
                                         "pthread_detach",
                                         "pthread_exit",
                                         "pthread_tryjoin_np",
                                         "pthread_timedjoin_np",
                                         "pthread_clockjoin_np",
                                         "pthread_mutex_lock",
                                         "pthread_mutex_trylock",
                                         "pthread_mutex_timedlock",
                                         "pthread_mutex_unlock",
                                         "pthread_mutex_destroy",
                                         "pthread_cond_wait",
                                         "pthread_cond_timedwait",
                                         "pthread_cond_signal",
                                         "pthread_cond_broadcast",
                                         "pthread_cond_init",
                                         "pthread_cond_destroy",
                                         "pthread_rwlock_rdlock",
                                         "pthread_rwlock_tryrdlock",
                                         "pthread_rwlock_timedrdlock",
                                         "pthread_rwlock_wrlock",
                                         "pthread_rwlock_trywrlock",
                                         "pthread_rwlock_timedwrlock",
                                         "pthread_rwlock_unlock",
                                         "pthread_rwlock_destroy",
                                         "sem_wait",
                                         "sem_trywait",
                                         "sem_timedwait",
                                         "sem_post",
                                         "sem_destroy",
                                         "pthread_barrier_wait",
                                         "pthread_barrier_destroy",
                                         "pthread_spin_lock",
                                         "pthread_spin_trylock",
                                         "pthread_spin_unlock",
                                         "sched_yield",
                                         "usleep",
                                         "nanosleep",
                                         "fork",
                                         NULL};

/* Returns 1 if name is the name of an interposed function or of a sanitizer
 * interceptor. */
int stk_interceptor(const char *name)
{
    if (sys_startswith(name, "__interceptor_") || sys_startswith(name, "___interceptor_"))
        return 1;
    for (int i = 0; interposed[i]; i++)
        if (sys_streq(name, interposed[i])) return 1;
    return 0;
}

/* Index of the first program frame in buf[0..n): after the shim's frames
 * and, under ThreadSanitizer, after the interceptor that called the shim. */
static int stk_first(void **buf, int n)
{
    int i = 0;
    while (i < n && stk_in_shim(buf[i])) i++;
    if (!shim_tsan) return i;
    for (int j = i; j < n && j < i + 6; j++)
        if (out_is_interceptor(buf[j])) return j + 1;
    return i;
}

/* Captures the calling thread's stack into s (return addresses, innermost
 * first). Caller holds the global lock (frame lookups share a cache). */
void stk_capture(struct stack *s)
{
    void *buf[STACK_DEPTH + 16];
    int n = real.backtrace ? real.backtrace(buf, STACK_DEPTH + 16) : 0;
    int i = stk_first(buf, n);
    s->n = 0;
    for (; i < n && s->n < STACK_DEPTH; i++) s->pc[s->n++] = buf[i];
}

/* Records where the current operation was called from: the return address
 * ra of the interposed function, or under ThreadSanitizer a few raw frames
 * from which the output later skips the interceptors. */
/* A call site named by the program's own support code: the test driver's
 * observers of pthread_create and friends call stress_site_hint with their
 * caller's address just before they call through, so events name the
 * student's line rather than the observer's. Used by the next interposed
 * call of the thread. */
static __thread void *site_hint;

SHIM_EXPORT void stress_site_hint(void *pc)
{
    site_hint = pc;
}

/* The return address of the calling thread's last wait (condition variable
 * or semaphore) that returned: a woken thread that then goes wrong went
 * wrong right after that line. */
static __thread void *last_wait;
static void *_Atomic any_last_wait; /* the same, of any thread of the process */

void stk_note_wait(void *ra)
{
    last_wait = ra;
    atomic_store_explicit(&any_last_wait, ra, memory_order_relaxed);
}

/* Read by the test driver (dlsym) to place a finding about the student's
 * function at the wait it returned from rather than at its first line:
 * the calling thread's last one when mine, else any thread's. */
SHIM_EXPORT void *stress_last_wait(int mine)
{
    return mine ? last_wait : atomic_load_explicit(&any_last_wait, memory_order_relaxed);
}

void stk_site(struct site *s, void *ra)
{
    sys_zero(s, sizeof *s);
    if (site_hint) {
        s->pc[0] = site_hint;
        site_hint = NULL;
        return;
    }
    if (!ra) return;
    if (!shim_tsan) {
        s->pc[0] = ra;
        return;
    }
    void *buf[SITE_DEPTH + 8];
    int n = real.backtrace ? real.backtrace(buf, SITE_DEPTH + 8) : 0;
    int i = 0, k = 0;
    while (i < n && stk_in_shim(buf[i])) i++;
    for (; i < n && k < SITE_DEPTH; i++) s->pc[k++] = buf[i];
}
