/* hgatomic.c - C11 atomics that Helgrind understands.
 *
 * The Helgrind build compiles student code with clang's ThreadSanitizer pass
 * limited to atomic operations, so every atomic becomes a call to one of the
 * __tsan_atomic* functions below instead of an inline instruction. Each one
 * performs the operation and tells Helgrind what it means: the atomic object
 * itself is never a data race, a release (or stronger) operation "sends" on
 * the object's address and an acquire (or stronger) one "receives" from it.
 * Without this, Helgrind reports false races on correct release/acquire code.
 * Relaxed operations create no ordering, exactly as in C11, so races they fail
 * to prevent are still reported. */
#include <stdint.h>
#include <valgrind/helgrind.h>

enum { MO_RELAXED, MO_CONSUME, MO_ACQUIRE, MO_RELEASE, MO_ACQ_REL, MO_SEQ_CST };

static inline void hg_send(const volatile void *p, int mo)
{
    if (mo == MO_RELEASE || mo == MO_ACQ_REL || mo == MO_SEQ_CST)
        ANNOTATE_HAPPENS_BEFORE((void *)(uintptr_t)p);
}

static inline void hg_recv(const volatile void *p, int mo)
{
    if (mo == MO_CONSUME || mo == MO_ACQUIRE || mo == MO_ACQ_REL || mo == MO_SEQ_CST)
        ANNOTATE_HAPPENS_AFTER((void *)(uintptr_t)p);
}

static inline void hg_atomic(const volatile void *p, unsigned long size)
{
    VALGRIND_HG_DISABLE_CHECKING((void *)(uintptr_t)p, size);
}

void __tsan_init(void);
void __tsan_init(void) {}

void __tsan_atomic_thread_fence(int mo);
void __tsan_atomic_thread_fence(int mo)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    (void)mo;
}

void __tsan_atomic_signal_fence(int mo);
void __tsan_atomic_signal_fence(int mo)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    (void)mo;
}

#define RMW(T, N, OP, BUILTIN)                                                           \
    T __tsan_atomic##N##_##OP(volatile T *p, T v, int mo);                               \
    T __tsan_atomic##N##_##OP(volatile T *p, T v, int mo)                                \
    {                                                                                    \
        hg_atomic(p, sizeof(T));                                                         \
        hg_send(p, mo);                                                                  \
        T r = BUILTIN(p, v, __ATOMIC_SEQ_CST);                                           \
        hg_recv(p, mo);                                                                  \
        return r;                                                                        \
    }

#define NAND(T, N)                                                                       \
    T __tsan_atomic##N##_fetch_nand(volatile T *p, T v, int mo);                         \
    T __tsan_atomic##N##_fetch_nand(volatile T *p, T v, int mo)                          \
    {                                                                                    \
        hg_atomic(p, sizeof(T));                                                         \
        hg_send(p, mo);                                                                  \
        T r = __atomic_fetch_nand(p, v, __ATOMIC_SEQ_CST);                               \
        hg_recv(p, mo);                                                                  \
        return r;                                                                        \
    }

#define ATOMICS(T, N)                                                                    \
    T __tsan_atomic##N##_load(const volatile T *p, int mo);                              \
    T __tsan_atomic##N##_load(const volatile T *p, int mo)                               \
    {                                                                                    \
        hg_atomic(p, sizeof(T));                                                         \
        T r = __atomic_load_n(p, __ATOMIC_SEQ_CST);                                      \
        hg_recv(p, mo);                                                                  \
        return r;                                                                        \
    }                                                                                    \
    void __tsan_atomic##N##_store(volatile T *p, T v, int mo);                           \
    void __tsan_atomic##N##_store(volatile T *p, T v, int mo)                            \
    {                                                                                    \
        hg_atomic(p, sizeof(T));                                                         \
        hg_send(p, mo);                                                                  \
        __atomic_store_n(p, v, __ATOMIC_SEQ_CST);                                        \
    }                                                                                    \
    RMW(T, N, exchange, __atomic_exchange_n)                                             \
    RMW(T, N, fetch_add, __atomic_fetch_add)                                             \
    RMW(T, N, fetch_sub, __atomic_fetch_sub)                                             \
    RMW(T, N, fetch_and, __atomic_fetch_and)                                             \
    RMW(T, N, fetch_or, __atomic_fetch_or)                                               \
    RMW(T, N, fetch_xor, __atomic_fetch_xor)                                             \
    NAND(T, N)                                                                           \
    int __tsan_atomic##N##_compare_exchange_strong(volatile T *p, T *c, T v, int mo,     \
                                                   int fmo);                             \
    int __tsan_atomic##N##_compare_exchange_strong(volatile T *p, T *c, T v, int mo,     \
                                                   int fmo)                              \
    {                                                                                    \
        hg_atomic(p, sizeof(T));                                                         \
        hg_send(p, mo);                                                                  \
        int ok =                                                                         \
            __atomic_compare_exchange_n(p, c, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
        hg_recv(p, ok ? mo : fmo);                                                       \
        return ok;                                                                       \
    }                                                                                    \
    int __tsan_atomic##N##_compare_exchange_weak(volatile T *p, T *c, T v, int mo,       \
                                                 int fmo);                               \
    int __tsan_atomic##N##_compare_exchange_weak(volatile T *p, T *c, T v, int mo,       \
                                                 int fmo)                                \
    {                                                                                    \
        return __tsan_atomic##N##_compare_exchange_strong(p, c, v, mo, fmo);             \
    }                                                                                    \
    T __tsan_atomic##N##_compare_exchange_val(volatile T *p, T c, T v, int mo, int fmo); \
    T __tsan_atomic##N##_compare_exchange_val(volatile T *p, T c, T v, int mo, int fmo)  \
    {                                                                                    \
        __tsan_atomic##N##_compare_exchange_strong(p, &c, v, mo, fmo);                   \
        return c;                                                                        \
    }

ATOMICS(int8_t, 8)
ATOMICS(int16_t, 16)
ATOMICS(int32_t, 32)
ATOMICS(int64_t, 64)

/* --- pthread_once ----------------------------------------------------------------- */

/* glibc's pthread_once is atomics and futexes Helgrind does not follow, so
 * it saw the initialisation race with every later read. Here the init
 * routine "sends" on the once object when it is done and every return from
 * pthread_once "receives" from it: the order pthread_once guarantees. The
 * routine and its object reach the wrapper through thread-local slots
 * (saved and restored, so an init that calls pthread_once works). */
#include <dlfcn.h>
#include <pthread.h>

typedef int (*once_fn)(pthread_once_t *, void (*)(void));
static once_fn once_real;
static __thread pthread_once_t *once_object;
static __thread void (*once_routine)(void);

__attribute__((constructor)) static void once_resolve(void)
{
    once_real = (once_fn)dlsym(RTLD_NEXT, "pthread_once");
}

static void once_run(void)
{
    pthread_once_t *o = once_object;
    void (*routine)(void) = once_routine;
    routine();
    ANNOTATE_HAPPENS_BEFORE(o);
}

int pthread_once(pthread_once_t *o, void (*routine)(void))
{
    if (!once_real) once_resolve();
    pthread_once_t *outer_object = once_object;
    void (*outer_routine)(void) = once_routine;
    once_object = o;
    once_routine = routine;
    int rc = once_real(o, once_run);
    once_object = outer_object;
    once_routine = outer_routine;
    ANNOTATE_HAPPENS_AFTER(o);
    return rc;
}
