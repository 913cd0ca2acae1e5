/* The functions the shim forwards to, looked up once with RTLD_NEXT.
 *
 * Condition variables are looked up with their GLIBC_2.3.2 version: a plain
 * dlsym could return the legacy GLIBC_2.2.5 implementation, whose object
 * layout differs.
 */
#include "shim.h"

#include <dlfcn.h>

struct real_table real;

static _Atomic int real_state; /* 0 not done, 1 in progress, 2 done */

#define NEXT(field, name) real.field = (__typeof__(real.field))dlsym(RTLD_NEXT, name)
#define NEXTV(field, name)                                                               \
    real.field = (__typeof__(real.field))dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2")

static void real_threads(void)
{
    NEXT(create, "pthread_create");
    NEXT(join, "pthread_join");
    NEXT(tryjoin, "pthread_tryjoin_np");
    NEXT(timedjoin, "pthread_timedjoin_np");
    NEXT(clockjoin, "pthread_clockjoin_np");
    NEXT(detach, "pthread_detach");
    NEXT(exit, "pthread_exit");
    NEXT(self, "pthread_self");
    NEXT(fork, "fork");
    NEXT(sched_yield, "sched_yield");
    NEXT(usleep, "usleep");
    NEXT(nanosleep, "nanosleep");
    NEXT(thrd_create, "thrd_create");
}

static void real_locks(void)
{
    NEXT(mutex_lock, "pthread_mutex_lock");
    NEXT(mutex_trylock, "pthread_mutex_trylock");
    NEXT(mutex_timedlock, "pthread_mutex_timedlock");
    NEXT(mutex_unlock, "pthread_mutex_unlock");
    NEXT(mutex_destroy, "pthread_mutex_destroy");
    NEXTV(cond_wait, "pthread_cond_wait");
    NEXTV(cond_timedwait, "pthread_cond_timedwait");
    NEXTV(cond_signal, "pthread_cond_signal");
    NEXTV(cond_broadcast, "pthread_cond_broadcast");
    NEXT(cond_clockwait, "pthread_cond_clockwait");
    NEXTV(cond_init, "pthread_cond_init");
    NEXTV(cond_destroy, "pthread_cond_destroy");
    NEXT(rw_rdlock, "pthread_rwlock_rdlock");
    NEXT(rw_tryrdlock, "pthread_rwlock_tryrdlock");
    NEXT(rw_timedrdlock, "pthread_rwlock_timedrdlock");
    NEXT(rw_wrlock, "pthread_rwlock_wrlock");
    NEXT(rw_trywrlock, "pthread_rwlock_trywrlock");
    NEXT(rw_timedwrlock, "pthread_rwlock_timedwrlock");
    NEXT(rw_unlock, "pthread_rwlock_unlock");
    NEXT(rw_destroy, "pthread_rwlock_destroy");
    NEXT(spin_lock, "pthread_spin_lock");
    NEXT(spin_trylock, "pthread_spin_trylock");
    NEXT(spin_unlock, "pthread_spin_unlock");
}

static void real_sems(void)
{
    NEXT(sem_wait, "sem_wait");
    NEXT(sem_trywait, "sem_trywait");
    NEXT(sem_timedwait, "sem_timedwait");
    NEXT(sem_post, "sem_post");
    NEXT(sem_destroy, "sem_destroy");
    NEXT(barrier_wait, "pthread_barrier_wait");
    NEXT(barrier_destroy, "pthread_barrier_destroy");
}

static void real_misc(void)
{
    NEXT(backtrace, "backtrace");
    NEXT(dladdr1, "dladdr1");
    NEXT(on_exit, "on_exit");
    NEXT(fflush, "fflush");
    NEXT(realpath, "realpath");
    NEXT(clock_gettime, "clock_gettime");
    NEXT(assert_fail, "__assert_fail");
    NEXT(abort, "abort");
}

/* Fills the table; safe to call from any thread at any time, also before the
 * constructor ran. A thread that finds another one filling it waits. */
void real_init(void)
{
    if (atomic_load_explicit(&real_state, memory_order_acquire) == 2) return;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&real_state, &expected, 1)) {
        while (atomic_load_explicit(&real_state, memory_order_acquire) != 2) sys_yield();
        return;
    }
    real_threads();
    real_locks();
    real_sems();
    real_misc();
    atomic_store_explicit(&real_state, 2, memory_order_release);
}
